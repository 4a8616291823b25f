import { Code, ConnectError, type Interceptor, type StreamResponse } from "@connectrpc/connect";
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from "@opentelemetry/api";
import { serverFaultCodes } from "../metrics/index.ts";
import { childWithTraceFields, isTraced } from "../telemetry/index.ts";
import { loggerKey } from "./context.ts";
import { codeName, rpcSystemOf } from "./interceptors.ts";

/** Reads W3C trace context (`traceparent`, `tracestate`, `baggage`) from Fetch headers. */
const headersGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * Traces each call as a SERVER span named `package.Service/Method`
 * (OpenTelemetry RPC semconv v1.40.0: `rpc.system.name`, `rpc.method`,
 * `rpc.response.status_code`, and `error.type` with status ERROR on server
 * faults). An incoming `traceparent` is continued; the handler runs in the
 * span's context, so its outbound calls propagate it, and the call's logger
 * is replaced by a child carrying trace_id and span_id. The span ends when
 * the call, or its response stream, does. The RPC handler installs it only
 * when tracing is on (`tracingEnabled()`: the preload registered an SDK).
 */
export function tracingInterceptor(): Interceptor {
  const tracer = trace.getTracer("@lumi/template/rpc");
  return (next) => async (req) => {
    // From the root context: the HTTP/1.1 server instrumentation suppresses
    // tracing for the RPC listener's requests, and the call is a new entry point.
    const parent = propagation.extract(ROOT_CONTEXT, req.header, headersGetter);
    const method = `${req.service.typeName}/${req.method.name}`;
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "rpc.system.name": rpcSystemOf(req.header.get("content-type")),
          "rpc.method": method,
        },
      },
      parent,
    );
    if (!isTraced(span)) return next(req);

    const finish = (error: unknown) => {
      const connectError = error === undefined ? undefined : ConnectError.from(error);
      const code = connectError === undefined ? "OK" : codeName(connectError.code).toUpperCase();
      span.setAttribute("rpc.response.status_code", code);
      if (serverFaultCodes.has(code)) {
        span.setAttribute("error.type", code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: connectError?.rawMessage ?? code });
      }
      span.end();
    };
    const spanContext = trace.setSpan(parent, span);
    return context.with(spanContext, async () => {
      const log = req.contextValues.get(loggerKey);
      if (log !== undefined) req.contextValues.set(loggerKey, childWithTraceFields(log, {}));
      try {
        const res = await next(req);
        if (!res.stream) {
          finish(undefined);
          return res;
        }
        const message = endWith(inContext(res.message, spanContext), finish);
        return { ...res, message } as StreamResponse;
      } catch (error) {
        finish(error);
        throw error;
      }
    });
  };
}

/** Runs each step of a response stream (the handler's generator) in `ctx`. */
function inContext<T>(messages: AsyncIterable<T>, ctx: Context): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = messages[Symbol.asyncIterator]();
      return {
        next: () => context.with(ctx, () => iterator.next()),
        return: (value?: unknown) =>
          context.with(ctx, () =>
            iterator.return === undefined
              ? Promise.resolve({ done: true as const, value: undefined })
              : iterator.return(value),
          ),
      };
    },
  };
}

/** Passes a stream through and reports how it ended: done, failed, or abandoned by the client. */
async function* endWith<T>(messages: AsyncIterable<T>, done: (error: unknown) => void) {
  let ended = false;
  try {
    yield* messages;
    ended = true;
    done(undefined);
  } catch (error) {
    ended = true;
    done(error);
    throw error;
  } finally {
    if (!ended) done(new ConnectError("the client stopped reading", Code.Canceled));
  }
}
