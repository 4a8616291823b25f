import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { AppError } from "../errors/index.ts";
import type { Metrics } from "../metrics/index.ts";
import type { RateDecision, RateLimiter } from "../ratelimit/index.ts";
import { childWithTraceFields } from "../telemetry/index.ts";
import { type ClientIpResolver, clientKey } from "./client-ip.ts";
import { requestIdFrom, requestIdHeader } from "./request-id.ts";
import "./context.ts";

/**
 * Accepts a valid incoming `X-Request-ID` or makes one, echoes it, and gives
 * the request a child logger that carries it and, when the request is
 * traced, its trace and span ids (kept for the access line, written on
 * response close).
 */
export function requestIdMiddleware(logger: Logger, clientIp: ClientIpResolver): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers[requestIdHeader]);
    res.locals.requestId = requestId;
    // Resolved once (express's req.ip re-parses X-Forwarded-For on every read).
    res.locals.clientIp = clientIp(req);
    res.locals.log = childWithTraceFields(logger, { request_id: requestId });
    res.setHeader("X-Request-ID", requestId);
    next();
  };
}

/** The route template of a request, or "unmatched" (never the raw path). */
export function routeOf(req: Request): string {
  const path = req.route?.path;
  return typeof path === "string" ? `${req.baseUrl}${path}` : "unmatched";
}

/** Options of {@link accessLogMiddleware}. */
export interface AccessLogOptions {
  readonly metrics: Metrics;
  /** Share of successful access-log lines written (errors always are). */
  readonly sampleRate: number;
  /** Route templates the sampling applies to; empty means all. */
  readonly sampleRoutes: readonly string[];
}

/**
 * When a response ends, records the request in
 * `http_server_request_duration_seconds` and writes its access-log line:
 * method, route template, status, duration, bytes, client address and
 * request id. Successful lines may be sampled; errors never are.
 */
export function accessLogMiddleware(options: AccessLogOptions): RequestHandler {
  const { metrics, sampleRate } = options;
  const sampledRoutes = new Set(options.sampleRoutes);
  const sampled = (route: string) =>
    sampleRate < 1 && (sampledRoutes.size === 0 || sampledRoutes.has(route));
  return (req, res, next) => {
    const start = performance.now();
    res.once("close", () => {
      const status = res.headersSent ? res.statusCode : 499;
      const route = routeOf(req);
      const elapsedMs = performance.now() - start;
      metrics.observeHttp(req.method, route, status, elapsedMs / 1000);
      if (status < 400 && sampled(route) && Math.random() >= sampleRate) return;
      const line = {
        method: req.method,
        route,
        status,
        duration_ms: Math.round(elapsedMs * 1000) / 1000,
        bytes: Number(res.getHeader("content-length") ?? 0),
        client_ip: res.locals.clientIp,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      const log = res.locals.log;
      if (status >= 500) log.error(line, "request");
      else log.info(line, "request");
    });
    next();
  };
}

/** The security headers every response of the public listener carries. */
export const securityHeaders: ReadonlyArray<readonly [string, string]> = [
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Referrer-Policy", "no-referrer"],
  ["Strict-Transport-Security", "max-age=31536000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
];

/** Sets the security headers a JSON API needs (a fixed list, no per-request work). */
export function securityHeadersMiddleware(): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    next();
  };
}

/**
 * CORS from an allow-list of origins; with an empty list it adds nothing, so
 * browsers refuse cross-origin calls.
 */
export function corsMiddleware(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    if (allowed.size === 0) {
      next();
      return;
    }
    // The answer depends on the Origin, so caches must key on it.
    res.setHeader("Vary", "Origin");
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) {
      next();
      return;
    }
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Expose-Headers", "X-Request-ID, ETag, RateLimit, Retry-After");
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE");
      res.setHeader(
        "Access-Control-Allow-Headers",
        "Authorization, Content-Type, If-Match, X-Request-ID",
      );
      res.setHeader("Access-Control-Max-Age", "600");
      res.status(204).end();
      return;
    }
    next();
  };
}

/**
 * Takes a token per request from the client's bucket (keyed by its real
 * address); sets `RateLimit-Policy`/`RateLimit`, and answers 429 with
 * `Retry-After` when the bucket is empty.
 */
export function rateLimitMiddleware(limiter: RateLimiter, metrics: Metrics): RequestHandler {
  const apply = (res: Response, next: NextFunction, decision: RateDecision) => {
    res.setHeader("RateLimit-Policy", limiter.policyHeader);
    res.setHeader("RateLimit", limiter.header(decision));
    if (!decision.allowed) {
      metrics.countRateLimitRejection("http");
      next(
        new AppError("RATE_LIMITED", "rate limit exceeded; retry later", {
          retryAfterSeconds: decision.retryAfterSeconds,
        }),
      );
      return;
    }
    next();
  };
  return (_req, res, next) => {
    if (!limiter.enabled) {
      next();
      return;
    }
    const decision = limiter.take(clientKey(res.locals.clientIp));
    if (decision instanceof Promise) decision.then((d) => apply(res, next, d), next);
    else apply(res, next, decision);
  };
}

/**
 * Runs middleware one after the other as a single express layer. Each layer
 * express dispatches costs about 1 µs per request (router bookkeeping, path
 * matching), which the standard stack paid once per middleware. An error
 * passed to `next`, or thrown, goes to express's error handling as before.
 */
export function chainMiddleware(handlers: readonly RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    // One continuation per request, not one per middleware.
    let index = 0;
    const step = (error?: unknown): void => {
      if (error !== undefined && error !== null) {
        next(error);
        return;
      }
      const handler = handlers[index];
      index += 1;
      if (handler === undefined) {
        next();
        return;
      }
      try {
        void handler(req, res, step);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}

/** Refuses a request with a body that is not JSON (415). */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const hasBody =
    req.headers["transfer-encoding"] !== undefined ||
    Number(req.headers["content-length"] ?? 0) > 0;
  if (hasBody && !req.is(["application/json", "application/*+json"])) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "the request body must be application/json");
  }
  next();
}
