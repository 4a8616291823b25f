import type { ServerResponse } from "node:http";
import { type AppError, problemContentType, toProblem } from "../errors/index.ts";

/**
 * Sends an error as RFC 9457 problem JSON on a plain node:http response, with
 * `Retry-After` when the error sets `retryAfterSeconds` and
 * `WWW-Authenticate: Bearer` for `UNAUTHENTICATED`. Headers already set on the
 * response (such as `Allow`) are kept. When the headers are already sent a
 * problem can no longer be written, so the response is destroyed instead: the
 * client then sees a truncated response rather than a valid-looking one.
 */
export function sendProblem(
  res: ServerResponse,
  error: AppError,
  requestId: string,
  instance?: string,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(toProblem(error, requestId, instance));
  const headers: Record<string, string | number> = {
    "content-type": problemContentType,
    "content-length": Buffer.byteLength(body),
  };
  if (error.retryAfterSeconds !== undefined) {
    headers["retry-after"] = Math.max(0, Math.ceil(error.retryAfterSeconds));
  }
  if (error.code === "UNAUTHENTICATED") headers["www-authenticate"] = "Bearer";
  res.writeHead(error.spec.status, headers).end(body);
}
