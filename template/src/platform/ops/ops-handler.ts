import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "../errors/index.ts";
import { requestIdFrom } from "../http/index.ts";
import type { Readiness } from "../lifecycle/index.ts";
import type { Metrics } from "../metrics/index.ts";
import type { Profiler } from "./profiling.ts";
import { sendProblem } from "./send-problem.ts";

/** Options of {@link createOpsHandler}. */
export interface OpsHandlerOptions {
  readonly readiness: Readiness;
  readonly metrics: Metrics;
  readonly profiler: Profiler;
}

/**
 * The ops listener's handler (plain node:http, no middleware): `/healthz`
 * (the process is up), `/readyz` (200 only while ready and not draining; the
 * body names failing checks), `/metrics` (Prometheus text) and the profiling
 * routes under `/debug/pprof/`.
 */
export function createOpsHandler(options: OpsHandlerOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    const url = new URL(req.url ?? "/", "http://ops");
    try {
      if (url.pathname.startsWith("/debug/pprof")) {
        if (await options.profiler.handle(req, res, url, requestId)) return;
        throw new AppError("ROUTE_NOT_FOUND", `no route for ${req.method} ${url.pathname}`);
      }
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.setHeader("Allow", "GET, HEAD");
        throw new AppError("METHOD_NOT_ALLOWED", `${req.method} is not allowed here; use GET`);
      }
      switch (url.pathname) {
        case "/healthz":
          return sendJson(res, 200, { status: "ok" });
        case "/readyz": {
          const report = await options.readiness.report();
          return sendJson(res, report.ready ? 200 : 503, {
            status: report.status,
            checks: report.checks,
          });
        }
        case "/metrics": {
          const body = await options.metrics.render();
          res.writeHead(200, {
            "Content-Type": options.metrics.contentType,
            "Cache-Control": "no-store",
          });
          res.end(body);
          return;
        }
        default:
          throw new AppError("ROUTE_NOT_FOUND", `no route for ${req.method} ${url.pathname}`);
      }
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendProblem(res, AppError.from(error), requestId, url.pathname);
    }
  };
}

/** Sends a small JSON body that must never be cached. */
function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
  });
  res.end(text);
}
