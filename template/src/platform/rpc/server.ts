import http2 from "node:http2";
import {
  Code,
  type ConnectRouter,
  createContextValues,
  type Interceptor,
} from "@connectrpc/connect";
import type { Logger } from "pino";
import {
  type ClientIpResolver,
  type NodeHandler,
  requestIdFrom,
  requestIdHeader,
} from "../http/index.ts";
import type { Metrics } from "../metrics/index.ts";
import type { RateLimiter } from "../ratelimit/index.ts";
import { tracingEnabled } from "../telemetry/index.ts";
import { callLogKey, clientIpKey, requestIdKey } from "./context.ts";
import {
  codeName,
  isServerFault,
  loggingInterceptor,
  rateLimitInterceptor,
  recoveryInterceptor,
  requestIdInterceptor,
  rpcSystemOf,
} from "./interceptors.ts";
import { createNodeAdapter } from "./node-adapter.ts";
import { tracingInterceptor } from "./tracing-interceptor.ts";

/** Options of {@link createRpcHandler}. */
export interface RpcHandlerOptions {
  readonly logger: Logger;
  readonly rateLimiter: RateLimiter;
  readonly metrics: Metrics;
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
 * first): request id → tracing → logging → recovery → rate limit → the team's.
 * Messages over `readMaxBytes` fail with resource_exhausted.
 */
export function createRpcHandler(options: RpcHandlerOptions): NodeHandler {
  const adapter = createNodeAdapter({
    routes: options.routes,
    readMaxBytes: options.readMaxBytes,
    writeMaxBytes: options.writeMaxBytes,
    maxTimeoutMs: options.maxTimeoutMs,
    interceptors: [
      requestIdInterceptor(options.logger),
      // Only when the tracing preload registered an SDK (tracing on).
      ...(tracingEnabled() ? [tracingInterceptor()] : []),
      loggingInterceptor(options.metrics),
      recoveryInterceptor(),
      rateLimitInterceptor(options.rateLimiter, options.metrics),
      ...(options.interceptors ?? []),
    ],
    onError: (error, procedure) =>
      options.logger.warn({ err: error, procedure }, "rpc response not completed"),
  });
  return (req, res) => {
    // Decided before the Connect runtime runs, so that the errors it raises
    // itself (a malformed body, a message over the limit) carry the id too.
    const requestId = requestIdFrom(req.headers[requestIdHeader]);
    const log = { logged: false };
    res.setHeader(requestIdHeader, requestId);
    const start = performance.now();
    const lastChunk = watchGrpcWebTrailer(req, res);
    res.once("close", () => {
      if (!log.logged) {
        logRefusedCall(options.logger, options.metrics, req, res, requestId, start, lastChunk());
      }
    });
    if ("stream" in req) releaseWhenAnswered(req);
    adapter(
      req,
      res,
      createContextValues()
        .set(clientIpKey, options.clientIp(req))
        .set(requestIdKey, requestId)
        .set(callLogKey, log),
    );
  };
}

/** Connect codes by the HTTP status the Connect protocol answers them with. */
const codeOfStatus: Readonly<Record<number, Code>> = {
  400: Code.InvalidArgument,
  401: Code.Unauthenticated,
  403: Code.PermissionDenied,
  404: Code.Unimplemented,
  408: Code.DeadlineExceeded,
  409: Code.Aborted,
  413: Code.ResourceExhausted,
  429: Code.ResourceExhausted,
  499: Code.Canceled,
  500: Code.Internal,
  501: Code.Unimplemented,
  503: Code.Unavailable,
  504: Code.DeadlineExceeded,
};

/**
 * Logs a call the Connect runtime answered before any interceptor ran (an
 * unknown procedure, a malformed body, a message over the limit), so that
 * every call has its line. The code comes from the gRPC status (headers,
 * trailers or gRPC-Web trailer frame), or from the HTTP status.
 */
function logRefusedCall(
  logger: Logger,
  metrics: Metrics,
  req: Parameters<NodeHandler>[0],
  res: Parameters<NodeHandler>[1],
  requestId: string,
  start: number,
  grpcWebTrailer: string | undefined,
): void {
  // gRPC answers either trailers-only (status in the headers) or with
  // trailers; gRPC-Web puts its trailers in the last body frame.
  const trailers = "stream" in res ? res.stream.sentTrailers : undefined;
  const fromBody = /grpc-status:\s*(\d+)/i.exec(grpcWebTrailer ?? "")?.[1];
  const grpcStatus = Number(
    res.getHeader("grpc-status") ?? trailers?.["grpc-status"] ?? fromBody ?? Number.NaN,
  );
  const code = Number.isNaN(grpcStatus) ? codeOfStatus[res.statusCode] : (grpcStatus as Code);
  const name = grpcStatus === 0 ? "ok" : code === undefined ? "unknown" : codeName(code);
  const procedure = (req.url ?? "").split("?")[0] ?? "";
  const elapsedMs = performance.now() - start;
  // A procedure the service does not have must not become a label value.
  const method = code === Code.Unimplemented ? "_OTHER" : procedure.slice(1);
  metrics.observeRpc(
    rpcSystemOf(req.headers["content-type"]),
    method,
    name.toUpperCase(),
    elapsedMs / 1000,
  );
  const line = {
    request_id: requestId,
    procedure,
    code: name,
    http_status: res.statusCode,
    duration_ms: Math.round(elapsedMs * 1000) / 1000,
    refused_by_runtime: true,
  };
  const serverFault = code === undefined ? res.statusCode >= 500 : isServerFault(code);
  if (serverFault && grpcStatus !== 0) logger.error(line, "rpc");
  else logger.info(line, "rpc");
}

/**
 * For gRPC-Web requests, remembers the last body frame written (the trailer
 * frame carrying grpc-status); other requests pay nothing.
 */
function watchGrpcWebTrailer(
  req: Parameters<NodeHandler>[0],
  res: Parameters<NodeHandler>[1],
): () => string | undefined {
  if (!String(req.headers["content-type"] ?? "").startsWith("application/grpc-web")) {
    return () => undefined;
  }
  let last: unknown;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => unknown;
  const remember = (chunk: unknown) => {
    if (chunk instanceof Uint8Array && chunk.length > 0) last = chunk;
  };
  (res as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => {
    remember(chunk);
    return write(chunk, ...rest);
  };
  (res as { end: unknown }).end = (chunk: unknown, ...rest: unknown[]) => {
    remember(chunk);
    return end(chunk, ...rest);
  };
  return () => (last instanceof Uint8Array ? Buffer.from(last).toString("latin1") : undefined);
}

/**
 * Ends an HTTP/2 stream whose response is complete but whose request was not
 * read to the end (a message over the limit). connect-node stops reading such
 * a request and Node then keeps the stream paused on the unread bytes, while
 * some clients never finish sending it: the stream and its buffers would
 * live as long as the connection. So the rest is discarded and, one round
 * trip later (the client has the whole response by then), the stream is
 * closed with NO_ERROR, as RFC 9113 §8.1 provides.
 */
function releaseWhenAnswered(req: http2.Http2ServerRequest): void {
  const stream = req.stream;
  stream.once("finish", () => {
    if (req.readableEnded || stream.closed) return;
    stream.removeAllListeners("data");
    stream.resume();
    const close = () => {
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_NO_ERROR);
    };
    try {
      if (!stream.session?.ping(close)) close();
    } catch {
      close();
    }
  });
}
