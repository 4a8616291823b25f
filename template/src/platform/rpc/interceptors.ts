import { Code, ConnectError, type Interceptor, type StreamResponse } from "@connectrpc/connect";
import type { Logger } from "pino";
import { AppError } from "../errors/index.ts";
import { clientKey, requestIdFrom } from "../http/index.ts";
import type { Metrics, RpcSystem } from "../metrics/index.ts";
import type { RateDecision, RateLimiter } from "../ratelimit/index.ts";
import { callLogKey, clientIpKey, loggerKey, requestIdKey } from "./context.ts";
import { toConnectError } from "./errors.ts";

/**
 * Accepts a valid incoming `x-request-id` or makes one, echoes it in the
 * response headers, and gives the call a child logger that carries it. Under
 * the RPC handler (server.ts) the id is already decided and on the response.
 */
export function requestIdInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const decided = req.contextValues.get(requestIdKey);
    const requestId = decided || requestIdFrom(req.header.get("x-request-id"));
    req.contextValues.set(requestIdKey, requestId);
    req.contextValues.set(loggerKey, logger.child({ request_id: requestId }));
    try {
      const res = await next(req);
      if (decided === "") res.header.set("x-request-id", requestId);
      return res;
    } catch (error) {
      throw toConnectError(error, requestId);
    }
  };
}

/**
 * Writes one JSON line per call when it ends: procedure, protocol, Connect
 * code, duration and client address.
 */
export function loggingInterceptor(metrics: Metrics): Interceptor {
  return (next) => async (req) => {
    const start = performance.now();
    const log = req.contextValues.get(loggerKey);
    req.contextValues.get(callLogKey).logged = true;
    const write = (error: unknown) => {
      const code = error === undefined ? "ok" : codeName(ConnectError.from(error).code);
      const elapsedMs = performance.now() - start;
      metrics.observeRpc(
        rpcSystemOf(req.header.get("content-type")),
        `${req.service.typeName}/${req.method.name}`,
        code.toUpperCase(),
        elapsedMs / 1000,
      );
      const line = {
        procedure: `/${req.service.typeName}/${req.method.name}`,
        code,
        duration_ms: Math.round(elapsedMs * 1000) / 1000,
        client_ip: req.contextValues.get(clientIpKey),
        stream: req.stream,
      };
      const serverFault = error !== undefined && isServerFault(ConnectError.from(error).code);
      if (serverFault) log?.error(line, "rpc");
      else log?.info(line, "rpc");
    };
    try {
      const res = await next(req);
      if (!res.stream) {
        write(undefined);
        return res;
      }
      return { ...res, message: observeEnd(res, write) } as StreamResponse;
    } catch (error) {
      write(error);
      throw error;
    }
  };
}

/** The `rpc.system.name` of a call, from its content type (gRPC-Web counts as gRPC). */
export function rpcSystemOf(contentType: string | null | undefined): RpcSystem {
  return contentType?.startsWith("application/grpc") ? "grpc" : "connect_rpc";
}

/** The snake_case name of a Connect code, as on the wire ("invalid_argument"). */
export function codeName(code: Code): string {
  return (Code[code] ?? "unknown").replace(/(?<!^)[A-Z]/g, (c) => `_${c}`).toLowerCase();
}

/** Whether a code means the server, not the client, is at fault. */
export function isServerFault(code: Code): boolean {
  return (
    code === Code.Internal ||
    code === Code.Unknown ||
    code === Code.DataLoss ||
    code === Code.Unavailable
  );
}

/** Wraps a response stream to learn when (and how) it ends. */
async function* observeEnd(res: StreamResponse, done: (error: unknown) => void) {
  try {
    yield* res.message;
    done(undefined);
  } catch (error) {
    done(error);
    throw error;
  }
}

/**
 * The recovery interceptor: anything a handler throws becomes a ConnectError
 * with a catalogue code; bugs are logged with their stack and answered with
 * a generic `internal` error. The process stays up.
 */
export function recoveryInterceptor(): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      const appError = AppError.from(error);
      if (!appError.operational || appError.spec.status >= 500) {
        req.contextValues
          .get(loggerKey)
          ?.error({ err: appError.cause ?? appError, code: appError.code }, "rpc failed");
      }
      throw toConnectError(appError, req.contextValues.get(requestIdKey));
    }
  };
}

/**
 * Takes a token from the caller's bucket; an empty bucket fails with
 * resource_exhausted. A decision the limiter makes synchronously (a token
 * already in the process) costs no promise.
 */
export function rateLimitInterceptor(limiter: RateLimiter, metrics: Metrics): Interceptor {
  return (next) => (req) => {
    if (!limiter.enabled) return next(req);
    const admit = (decision: RateDecision) => {
      if (decision.allowed) return next(req);
      metrics.countRateLimitRejection("rpc");
      throw new AppError("RATE_LIMITED", "rate limit exceeded; retry later", {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    };
    try {
      const decision = limiter.take(clientKey(req.contextValues.get(clientIpKey)));
      return decision instanceof Promise ? decision.then(admit) : admit(decision);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
