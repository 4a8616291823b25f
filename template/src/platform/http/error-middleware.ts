import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError, type ErrorCode, problemContentType, toProblem } from "../errors/index.ts";
import "./context.ts";

/** body-parser error types and the codes they map to. */
const bodyParserCodes: Readonly<Record<string, ErrorCode>> = {
  "entity.too.large": "PAYLOAD_TOO_LARGE",
  "entity.parse.failed": "MALFORMED_REQUEST",
  "encoding.unsupported": "UNSUPPORTED_MEDIA_TYPE",
  "charset.unsupported": "UNSUPPORTED_MEDIA_TYPE",
  "request.aborted": "CANCELLED",
  "request.size.invalid": "MALFORMED_REQUEST",
  "parameters.too.many": "PAYLOAD_TOO_LARGE",
};

const bodyParserMessages: Readonly<Partial<Record<ErrorCode, string>>> = {
  PAYLOAD_TOO_LARGE: "the request body is larger than the limit",
  MALFORMED_REQUEST: "the request body is not valid JSON",
  UNSUPPORTED_MEDIA_TYPE: "the request body's encoding or charset is not supported",
  CANCELLED: "the client aborted the request",
};

/** Normalises what the HTTP stack throws, including body-parser errors. */
export function httpErrorFrom(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const type = (error as { type?: unknown } | null)?.type;
  const code = typeof type === "string" ? bodyParserCodes[type] : undefined;
  if (code !== undefined) return new AppError(code, bodyParserMessages[code], { cause: error });
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // A client error raised by express itself (e.g. a malformed URI escape).
    return new AppError(status === 404 ? "ROUTE_NOT_FOUND" : "MALFORMED_REQUEST", undefined, {
      cause: error,
    });
  }
  return AppError.from(error);
}

/** Answers any path no route matched with a 404 problem. */
export function notFoundMiddleware(): RequestHandler {
  return (req) => {
    throw new AppError("ROUTE_NOT_FOUND", `no route for ${req.method} ${req.path}`);
  };
}

/**
 * The recovery handler: whatever a handler threw or rejected with becomes a
 * problem document carrying the code and the request id. Bugs are logged
 * with their stack and answered with a generic 500; the process stays up.
 */
export function errorMiddleware(): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = httpErrorFrom(error);
    const log = res.locals.log;
    if (!appError.operational || appError.spec.status >= 500) {
      log.error({ err: appError.cause ?? appError, code: appError.code }, "request failed");
    }
    if (res.headersSent) {
      // The response is already on its way; the connection is the only
      // channel left to say it failed.
      res.destroy();
      return;
    }
    const headers: Record<string, string> = { "Content-Type": problemContentType };
    if (appError.retryAfterSeconds !== undefined) {
      headers["Retry-After"] = String(appError.retryAfterSeconds);
    }
    // The auth middleware sets the precise RFC 6750 challenge; this is the fallback.
    if (appError.code === "UNAUTHENTICATED" && !res.hasHeader("WWW-Authenticate")) {
      headers["WWW-Authenticate"] = 'Bearer realm="api"';
    }
    if (appError.code === "PAYLOAD_TOO_LARGE" || appError.code === "CANCELLED") {
      headers.Connection = "close";
    }
    res.status(appError.spec.status).set(headers);
    res.send(JSON.stringify(toProblem(appError, res.locals.requestId, req.originalUrl)));
  };
}
