import express, { type Express, type Router } from "express";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/index.ts";
import type { RateLimiter } from "../ratelimit/index.ts";
import { tracingEnabled } from "../telemetry/index.ts";
import { compileTrust, createClientIpResolver } from "./client-ip.ts";
import { errorMiddleware, notFoundMiddleware } from "./error-middleware.ts";
import {
  accessLogMiddleware,
  chainMiddleware,
  corsMiddleware,
  rateLimitMiddleware,
  requestIdMiddleware,
  securityHeadersMiddleware,
} from "./middleware.ts";
import { tracingMiddleware } from "./tracing-middleware.ts";

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  readonly logger: Logger;
  readonly trustedProxies: readonly string[];
  readonly corsOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  readonly rateLimiter: RateLimiter;
  readonly metrics: Metrics;
  /** Access-log sampling of successful requests (see `LOG_ACCESS_SAMPLE_*`). */
  readonly accessLogSampling: { readonly rate: number; readonly routes: readonly string[] };
  /** Mounts the team's routes. */
  readonly routes: (router: Router) => void;
}

/**
 * Builds the public express app with the standard middleware, in this order:
 * server span (when tracing) → request id → client address (trusted
 * proxies) → access log → security
 * headers → CORS → rate limit → JSON body (size-limited) → routes → 404 →
 * recovery (problem+json). See docs/http.md.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", compileTrust(options.trustedProxies));

  const json = express.json({
    limit: options.bodyLimitBytes,
    type: ["application/json", "application/*+json"],
  });
  // One express layer for the whole standard stack (see chainMiddleware).
  app.use(
    chainMiddleware([
      // Only when the tracing preload registered an SDK (tracing on).
      ...(tracingEnabled() ? [tracingMiddleware()] : []),
      requestIdMiddleware(options.logger, createClientIpResolver(options.trustedProxies)),
      accessLogMiddleware({
        metrics: options.metrics,
        sampleRate: options.accessLogSampling.rate,
        sampleRoutes: options.accessLogSampling.routes,
      }),
      securityHeadersMiddleware(),
      // With no allowed origin it adds nothing: left out.
      ...(options.corsOrigins.length > 0 ? [corsMiddleware(options.corsOrigins)] : []),
      rateLimitMiddleware(options.rateLimiter, options.metrics),
      // Requests that carry no body by definition skip the parser entirely.
      (req, res, next) =>
        req.method === "GET" || req.method === "HEAD" ? next() : json(req, res, next),
    ]),
  );

  // Mounted on the app itself: a router of their own would cost every request
  // another layer (a nested dispatch) before the route.
  options.routes(app);

  app.use(notFoundMiddleware());
  app.use(errorMiddleware());
  return app;
}
