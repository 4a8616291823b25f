import type { DescMethodUnary, DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import {
  type CallOptions,
  type Client,
  Code,
  ConnectError,
  createClient,
  type Interceptor,
} from "@connectrpc/connect";
import {
  type ConnectTransportOptions,
  createConnectTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { context, propagation } from "@opentelemetry/api";
import { parseRetryAfter } from "./backoff.ts";
import type { Dependency } from "./dependency.ts";
import { UpstreamError } from "./upstream-error.ts";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Transport options of {@link createConnectClient}; `baseUrl` defaults to the dependency's. */
export type ConnectClientTransportOptions = DistributiveOmit<ConnectTransportOptions, "baseUrl"> & {
  readonly baseUrl?: string;
};

type UnaryMethodName<S extends DescService> = {
  [K in keyof S["method"]]: S["method"][K] extends DescMethodUnary ? K : never;
}[keyof S["method"]];

/** The unary methods of a Connect client (streaming calls are not run under the policy). */
export type UnaryClient<S extends DescService> = Pick<Client<S>, UnaryMethodName<S>>;

/** A Connect client for one dependency, and how to release its connection. */
export interface ConnectClient<S extends DescService> {
  readonly client: UnaryClient<S>;
  /** Closes the HTTP/2 connection this client opened, if any. */
  close(): void;
}

/** Codes that count against the dependency's health. */
export const faultCodes: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.Internal,
  Code.Unknown,
  Code.DeadlineExceeded,
]);

/** Idempotency levels that make a method safe to retry. */
const retryableLevels: ReadonlySet<MethodOptions_IdempotencyLevel> = new Set([
  MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS,
  MethodOptions_IdempotencyLevel.IDEMPOTENT,
]);

/**
 * Injects the active trace context into each request's headers. The global
 * `fetch` is instrumented, the HTTP/2 client is not, so Connect calls carry
 * it themselves; while tracing is off the propagator is a no-op.
 */
export const traceContextInterceptor: Interceptor = (next) => (request) => {
  propagation.inject(context.active(), request.header, {
    set: (headers, key, value) => headers.set(key, value),
  });
  return next(request);
};

/** Header the Connect protocol carries the deadline in, in ms. */
const timeoutHeader = "connect-timeout-ms";

/**
 * Creates a client of another Connect service (another lumi service) whose
 * unary calls run under the dependency's policy. A call is retried only
 * when its method declares `idempotency_level` NO_SIDE_EFFECTS or
 * IDEMPOTENT, or the call carries an `Idempotency-Key` header; retried codes
 * are `unavailable`, `deadline_exceeded` and `resource_exhausted` with a
 * `retry-after`. Each attempt sends its own remaining time as the upstream's
 * deadline. A call's `timeoutMs` becomes its deadline and its `signal` its
 * cancellation. The active trace context is propagated.
 */
export function createConnectClient<S extends DescService>(
  dependency: Dependency,
  service: S,
  transportOptions: ConnectClientTransportOptions,
): ConnectClient<S> {
  const baseUrl = transportOptions.baseUrl ?? dependency.baseUrl;
  if (baseUrl === undefined) throw new TypeError(`dependency ${dependency.name} has no baseUrl`);
  let sessionManager: Http2SessionManager | undefined;
  let options = {
    ...transportOptions,
    baseUrl,
    interceptors: [traceContextInterceptor, ...(transportOptions.interceptors ?? [])],
  } as ConnectTransportOptions;
  if (options.httpVersion === "2" && options.sessionManager === undefined) {
    // Owned here so that close() can release the connection at shutdown.
    sessionManager = new Http2SessionManager(baseUrl, options, options.nodeOptions);
    options = { ...options, sessionManager };
  }
  const raw = createClient(service, createConnectTransport(options)) as unknown as Record<
    string,
    (request: unknown, options: CallOptions) => Promise<unknown>
  >;

  const client: Record<string, (request: unknown, options?: CallOptions) => Promise<unknown>> = {};
  for (const method of service.methods) {
    if (method.methodKind !== "unary") continue;
    const call = raw[method.localName] as (typeof raw)[string];
    const declaredIdempotent = retryableLevels.has(method.idempotency);
    client[method.localName] = (request, callOptions = {}) => {
      const headers = new Headers(callOptions.headers);
      const deadlineMs = callOptions.timeoutMs;
      return dependency.execute(
        async (signal, info) => {
          // Our attempt timeout governs; connect only forwards it as the upstream deadline.
          headers.set(timeoutHeader, String(info.timeoutMs));
          try {
            return await call(request, { ...callOptions, headers, signal, timeoutMs: 0 });
          } catch (error) {
            throw toUpstreamError(dependency.name, error);
          }
        },
        {
          idempotent: declaredIdempotent || headers.has("idempotency-key"),
          ...(deadlineMs !== undefined && deadlineMs > 0 ? { deadlineMs } : {}),
          ...(callOptions.signal === undefined ? {} : { signal: callOptions.signal }),
        },
      );
    };
  }
  return { client: client as UnaryClient<S>, close: () => sessionManager?.abort() };
}

/** Labels a Connect error with how it counts for retries and the breaker. */
function toUpstreamError(name: string, error: unknown): UpstreamError {
  const connectError = ConnectError.from(error);
  const { code } = connectError;
  const retryAfterMs = parseRetryAfter(connectError.metadata.get("retry-after"), Date.now());
  const retryable =
    code === Code.Unavailable ||
    code === Code.DeadlineExceeded ||
    (code === Code.ResourceExhausted && retryAfterMs !== undefined);
  return new UpstreamError(`${name} answered ${Code[code]}`, {
    fault: faultCodes.has(code),
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    cause: connectError,
  });
}
