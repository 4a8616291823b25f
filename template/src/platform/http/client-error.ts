import type { Socket } from "node:net";
import { AppError, type ErrorCode, problemContentType, toProblem } from "../errors/index.ts";
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
  socket.end(
    `HTTP/1.1 ${status} ${appError.spec.title}\r\n` +
      `Content-Type: ${problemContentType}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-ID: ${requestId}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
}
