import { parseRetryAfter } from "./backoff.ts";
import type { Dependency } from "./dependency.ts";
import { UpstreamError } from "./upstream-error.ts";

/** Statuses worth another attempt (when the request is idempotent). */
export const retryableStatuses: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Methods that may be sent twice without harm (RFC 9110 §9.2.2). */
export const idempotentMethods: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "PUT",
  "DELETE",
  "OPTIONS",
  "TRACE",
]);

/** Statuses whose responses carry no body. */
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/** A request body that can be sent again on a retry (streams cannot). */
export type RequestBody = string | Uint8Array | URLSearchParams | Blob;

/** Per-request options of {@link HttpClient}. */
export interface HttpRequestInit {
  readonly headers?: Readonly<Record<string, string>> | Headers;
  readonly body?: RequestBody;
  /** Sent as JSON (with `content-type: application/json` unless set). */
  readonly json?: unknown;
  /** The caller's cancellation. */
  readonly signal?: AbortSignal;
  /** The caller's deadline, in ms (what is left of its incoming deadline). */
  readonly deadlineMs?: number;
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Headers sent with every request (a user agent, an API key). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request function bound to one path. */
export type HttpMethodFn = (path: string, init?: HttpRequestInit) => Promise<Response>;

/** An HTTP client for one dependency; every request runs under its policy. */
export interface HttpClient {
  /**
   * Sends `method` to the dependency's base URL + `path` and resolves with
   * the response, its body already read (within the attempt's timeout) so
   * it can be consumed freely. 5xx answers, network errors and timeouts are
   * failures (`DEPENDENCY_FAILED`, `DEADLINE_EXCEEDED`); so are 408, 425 and
   * 429 once retries are spent; other 4xx answers resolve like 2xx.
   */
  request(method: string, path: string, init?: HttpRequestInit): Promise<Response>;
  readonly get: HttpMethodFn;
  readonly head: HttpMethodFn;
  readonly post: HttpMethodFn;
  readonly put: HttpMethodFn;
  readonly patch: HttpMethodFn;
  readonly delete: HttpMethodFn;
  readonly options: HttpMethodFn;
}

/**
 * Creates an HTTP client on the global `fetch` (so tracing instrumentation
 * of undici propagates trace context). A request is retried only when its
 * method is idempotent or it carries an `Idempotency-Key` header; a
 * `Retry-After` answer delays the next attempt unless that would pass the
 * call's deadline.
 */
export function createHttpClient(
  dependency: Dependency,
  options: HttpClientOptions = {},
): HttpClient {
  if (dependency.baseUrl === undefined) {
    throw new TypeError(`dependency ${dependency.name} has no baseUrl`);
  }
  const root = dependency.baseUrl.replace(/\/+$/, "");
  const name = dependency.name;

  const request = async (method: string, path: string, init: HttpRequestInit = {}) => {
    if (!path.startsWith("/") || path.startsWith("//")) {
      throw new TypeError(`path must start with a single "/", got ${path}`);
    }
    const verb = method.toUpperCase();
    const headers = new Headers(options.headers);
    for (const [key, value] of new Headers(init.headers)) headers.set(key, value);
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const url = root + path;
    return dependency.execute(
      (signal) => send(name, url, { method: verb, headers, body, signal }),
      {
        idempotent: idempotentMethods.has(verb) || headers.has("idempotency-key"),
        ...(init.deadlineMs === undefined ? {} : { deadlineMs: init.deadlineMs }),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      },
    );
  };
  const bound =
    (method: string): HttpMethodFn =>
    (path, init) =>
      request(method, path, init);

  return {
    request,
    get: bound("GET"),
    head: bound("HEAD"),
    post: bound("POST"),
    put: bound("PUT"),
    patch: bound("PATCH"),
    delete: bound("DELETE"),
    options: bound("OPTIONS"),
  };
}

/** One attempt: a fetch whose answer is read in full or turned into an UpstreamError. */
async function send(
  name: string,
  url: string,
  init: { method: string; headers: Headers; body: RequestBody | undefined; signal: AbortSignal },
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new UpstreamError(`${name} request failed`, {
      fault: true,
      retryable: true,
      cause: error,
    });
  }
  const { status } = response;
  if (status >= 500 || retryableStatuses.has(status)) {
    // Releases the connection instead of leaving the unread body holding it.
    await response.body?.cancel().catch(() => undefined);
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
    throw new UpstreamError(`${name} answered ${status}`, {
      status,
      fault: status >= 500,
      retryable: retryableStatuses.has(status),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  try {
    const noBody = nullBodyStatuses.has(status) || init.method === "HEAD";
    const body = noBody ? null : await response.arrayBuffer();
    return new Response(body, {
      status,
      statusText: response.statusText,
      headers: response.headers,
    });
  } catch (error) {
    throw new UpstreamError(`${name} response body failed`, {
      fault: true,
      retryable: true,
      cause: error,
    });
  }
}
