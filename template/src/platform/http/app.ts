import express, { type Express, type Router } from "express";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/index.ts";
import type { RateLimiter } from "../ratelimit/index.ts";
import { compileTrust, createClientIpResolver } from "./client-ip.ts";
import { errorMiddleware, notFoundMiddleware } from "./error-middleware.ts";
import {
  accessLogMiddleware,
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

  app.use(tracingMiddleware());
  app.use(requestIdMiddleware(options.logger, createClientIpResolver(options.trustedProxies)));
  app.use(
    accessLogMiddleware({
      metrics: options.metrics,
      sampleRate: options.accessLogSampling.rate,
      sampleRoutes: options.accessLogSampling.routes,
    }),
  );
  app.use(securityHeadersMiddleware());
  app.use(corsMiddleware(options.corsOrigins));
  app.use(rateLimitMiddleware(options.rateLimiter, options.metrics));
  const json = express.json({
    limit: options.bodyLimitBytes,
    type: ["application/json", "application/*+json"],
  });
  // Requests that carry no body by definition skip the parser entirely.
  app.use((req, res, next) =>
    req.method === "GET" || req.method === "HEAD" ? next() : json(req, res, next),
  );

  const router = express.Router();
  options.routes(router);
  app.use(router);

  app.use(notFoundMiddleware());
  app.use(errorMiddleware());
  return app;
}
