import type http from "node:http";
import http2 from "node:http2";
import {
  Code,
  ConnectError,
  type ConnectRouter,
  type ConnectRouterOptions,
  type ContextValues,
  createConnectRouter,
} from "@connectrpc/connect";
import type {
  UniversalHandler,
  UniversalServerRequest,
  UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import {
  compressionBrotli,
  compressionGzip,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import type { NodeHandler } from "../http/index.ts";

type NodeRequest = Parameters<NodeHandler>[0];
type NodeResponse = Parameters<NodeHandler>[1];

/** Options of {@link createNodeAdapter}. */
export interface NodeAdapterOptions extends ConnectRouterOptions {
  /** Mounts the services. */
  readonly routes: (router: ConnectRouter) => void;
  /**
   * Called with the procedure's path when a call failed outside the
   * protocol's own error answers (a failed write, a failure before the first
   * byte, which is answered 500); a cancelled call is not reported.
   */
  readonly onError: (error: unknown, procedure: string) => void;
}

/** Serves one request; `values` become the call's context values. */
export type NodeAdapter = (req: NodeRequest, res: NodeResponse, values?: ContextValues) => void;

/**
 * The Node.js side of the Connect runtime: routes a request to the
 * procedure's universal handler and writes its response, as connect-node's
 * `connectNodeAdapter` does, with these differences, most of which matter
 * on every call:
 *
 * - the call's abort signal fires only when the client goes away before the
 *   response is complete (with `canceled`), not on every normal close — an
 *   abort without a reason builds a DOMException, whose stack capture was
 *   ~10% of a unary call's CPU time;
 * - the request stream itself is the body (no wrapping generator), and the
 *   URL is put together without parsing and re-serialising it;
 * - a unary answer is written with one `writeHead` and one `end`;
 * - a request without an authority (HTTP/1.0 without Host) or with one that
 *   makes no URL is answered 400 instead of throwing from the listener, and a
 *   failed call is reported to `onError` instead of the console.
 */
export function createNodeAdapter(options: NodeAdapterOptions): NodeAdapter {
  const router = createConnectRouter({
    acceptCompression: [compressionGzip, compressionBrotli],
    ...options,
  });
  options.routes(router);
  const paths = new Map<string, UniversalHandler>(
    router.handlers.map((handler) => [handler.requestPath, handler]),
  );
  return (req, res, values) => {
    const target = req.url ?? "";
    const query = target.indexOf("?");
    const handler = paths.get(query === -1 ? target : target.slice(0, query));
    if (handler === undefined) {
      answerEmpty(res, 404);
      return;
    }
    const authority = "authority" in req ? req.authority : req.headers.host;
    const encrypted = "encrypted" in req.socket && req.socket.encrypted === true;
    const url = `${encrypted ? "https" : "http"}://${authority}${target}`;
    if (!authority || !URL.canParse(url)) {
      answerEmpty(res, 400);
      return;
    }
    const write =
      handler.method.methodKind === "unary" ? writeUnary : universalResponseToNodeResponse;
    handler(universalRequest(req, res, url, values))
      .then((uRes) => write(uRes, res))
      .catch((error: unknown) => {
        // A failure before the first byte still gets an answer.
        if (!res.headersSent && !res.destroyed) answerEmpty(res, 500);
        const code = ConnectError.from(error).code;
        if (code !== Code.Canceled && code !== Code.Aborted)
          options.onError(error, handler.requestPath);
      });
  };
}

/**
 * The universal request of a Node.js request: its signal aborts (with
 * canceled) only when the client goes away before the response is complete.
 */
export function universalRequest(
  req: NodeRequest,
  res: NodeResponse,
  url: string,
  contextValues: ContextValues | undefined,
): UniversalServerRequest {
  const controller = new AbortController();
  const cancel = (cause?: unknown) => {
    if (controller.signal.aborted) return;
    controller.abort(
      new ConnectError(
        "the client went away before the response was complete",
        Code.Canceled,
        undefined,
        undefined,
        cause,
      ),
    );
  };
  if ("stream" in req) {
    // An HTTP/2 stream closes when answered (NO_ERROR) or when reset.
    const stream = (req as http2.Http2ServerRequest).stream;
    req.once("close", () => {
      if (stream.rstCode !== undefined && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) {
        cancel();
      }
    });
  } else {
    // HTTP/1.1 emits close on the response once it is finished, or earlier
    // when the connection drops; a request error (ECONNRESET) is the latter.
    const onError = (error: unknown) => cancel(error);
    req.once("error", onError);
    res.once("close", () => {
      req.off("error", onError);
      if (!res.writableFinished) cancel(req.errored ?? undefined);
    });
  }
  return {
    httpVersion: req.httpVersion,
    method: req.method ?? "",
    url,
    header: webHeaders(req.headers),
    body: req as AsyncIterable<Uint8Array>,
    signal: controller.signal,
    contextValues,
  };
}

/** Node.js request headers as web Headers, without HTTP/2 pseudo-headers. */
function webHeaders(headers: NodeRequest["headers"]): Headers {
  const header = new Headers();
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* ":" */) continue;
    const value = headers[name];
    if (typeof value === "string") header.append(name, value);
    else if (Array.isArray(value)) for (const item of value) header.append(name, item);
  }
  return header;
}

/**
 * Writes a unary call's response (one message, or an error) in one go:
 * status, headers and body with a single `end`, then the trailers gRPC
 * sends. connect-node's writer, kept for streaming responses, awaits a
 * write and its drain per message.
 */
async function writeUnary(uRes: UniversalServerResponse, res: NodeResponse): Promise<void> {
  const chunks: Uint8Array[] = [];
  if (uRes.body !== undefined) for await (const chunk of uRes.body) chunks.push(chunk);
  (res as http.ServerResponse).writeHead(
    uRes.status,
    uRes.header === undefined ? undefined : nodeHeaders(uRes.header),
  );
  if (uRes.trailer !== undefined) res.addTrailers(nodeHeaders(uRes.trailer));
  const [only] = chunks;
  res.end(chunks.length === 1 && only !== undefined ? only : Buffer.concat(chunks));
}

/** Web headers as Node.js headers (set-cookie, and only it, may repeat). */
function nodeHeaders(header: Headers): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = Object.create(null);
  for (const [name, value] of header) {
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else out[name] = [...(Array.isArray(existing) ? existing : [String(existing)]), value];
  }
  return out;
}

/** Answers a status with no body (as connect-node answers an unknown path). */
function answerEmpty(res: NodeResponse, status: number): void {
  res.statusCode = status;
  res.end();
}
