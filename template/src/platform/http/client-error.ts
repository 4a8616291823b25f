import type { Socket } from "node:net";
import { AppError, type ErrorCode, problemContentType, toProblem } from "../errors/index.ts";
import { securityHeaders } from "./middleware.ts";
import { requestIdFrom } from "./request-id.ts";

const codeByParserError: Readonly<Record<string, ErrorCode>> = {
  HPE_HEADER_OVERFLOW: "HEADERS_TOO_LARGE",
  ERR_HTTP_REQUEST_TIMEOUT: "REQUEST_TIMEOUT",
};

/**
 * Answers errors Node raises before any handler runs (oversized headers,
 * unparsable requests, header or request timeouts) with a problem document
 * and closes the connection.
 */
export function writeClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const code = codeByParserError[error.code ?? ""] ?? "MALFORMED_REQUEST";
  const appError = new AppError(code);
  const requestId = requestIdFrom(undefined);
  const body = JSON.stringify(toProblem(appError, requestId));
  const status = appError.spec.status;
  socket.write(
    `HTTP/1.1 ${status} ${appError.spec.title}\r\n` +
      `Content-Type: ${problemContentType}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-ID: ${requestId}\r\n` +
      securityHeaders.map(([name, value]) => `${name}: ${value}\r\n`).join("") +
      "Connection: close\r\n\r\n" +
      body,
  );
  // Close the whole connection once the answer is flushed, not only our
  // half: a client that ignores the FIN and keeps trickling bytes (slowloris)
  // would otherwise hold the socket open.
  socket.destroySoon();
}
