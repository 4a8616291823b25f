import { type ConnectRouter, createContextValues, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Logger } from "pino";
import type { ClientIpResolver, NodeHandler } from "../http/index.ts";
import type { RateLimiter } from "../ratelimit/index.ts";
import { clientIpKey } from "./context.ts";
import {
  loggingInterceptor,
  rateLimitInterceptor,
  recoveryInterceptor,
  requestIdInterceptor,
} from "./interceptors.ts";

/** Options of {@link createRpcHandler}. */
export interface RpcHandlerOptions {
  readonly logger: Logger;
  readonly rateLimiter: RateLimiter;
  readonly clientIp: ClientIpResolver;
  readonly readMaxBytes: number;
  readonly writeMaxBytes: number;
  /** Upper bound on client deadlines; 0 leaves them unbounded. */
  readonly maxTimeoutMs: number;
  /** Mounts the team's services (and the health service). */
  readonly routes: (router: ConnectRouter) => void;
  /** Extra interceptors, run inside the standard ones. */
  readonly interceptors?: readonly Interceptor[];
}

/**
 * Builds the Connect handler serving the Connect, gRPC and gRPC-Web
 * protocols, with the standard interceptors in this order (outermost
 * first): request id → logging → recovery → rate limit → the team's.
 * Messages over `readMaxBytes` fail with resource_exhausted.
 */
export function createRpcHandler(options: RpcHandlerOptions): NodeHandler {
  const handler = connectNodeAdapter({
    routes: options.routes,
    readMaxBytes: options.readMaxBytes,
    writeMaxBytes: options.writeMaxBytes,
    maxTimeoutMs: options.maxTimeoutMs,
    contextValues: (req) => createContextValues().set(clientIpKey, options.clientIp(req)),
    interceptors: [
      requestIdInterceptor(options.logger),
      loggingInterceptor(),
      recoveryInterceptor(),
      rateLimitInterceptor(options.rateLimiter),
      ...(options.interceptors ?? []),
    ],
  }) as NodeHandler;
  return (req, res) => {
    // A request refused before it was fully read (a message over the limit)
    // is never read again. Node keeps such an HTTP/2 stream, with the unread
    // bytes, until they are consumed, so it would outlive the call for the
    // life of the connection. Once the exchange is over, release it.
    res.once("finish", () => {
      if ("stream" in req && !req.readableEnded && req.stream.closed) req.stream.destroy();
    });
    handler(req, res);
  };
}
