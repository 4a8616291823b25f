import type { IncomingMessage } from "node:http";
import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { RequestHandler, Response } from "express";
import { httpMethodOf } from "../metrics/index.ts";
import { type HttpRouteSlot, isTraced, withHttpRouteSlot } from "../telemetry/index.ts";
import "./context.ts";

/** Query keys whose values are signatures or credentials: never put on a span. */
const redactedQueryKeys = [
  "sig",
  "Signature",
  "AWSAccessKeyId",
  "X-Goog-Signature",
  "X-Amz-Signature",
  "X-Amz-Credential",
  "X-Amz-Security-Token",
];

/**
 * Makes the SERVER span of each request of the public listener
 * (OpenTelemetry HTTP semconv: `http.request.method`, `url.*`, `server.*`,
 * `client.address`, `http.response.status_code`, `http.route`, and
 * `error.type` with status ERROR on 5xx). An incoming `traceparent` is
 * continued, and the rest of the request runs in the span's context; routes
 * name the span (`GET /v1/items/:id`) through `setHttpRoute`.
 *
 * It replaces the http instrumentation's server side, which built every
 * attribute, parsed the URL and patched the request's and response's
 * listener methods for every request, sampled or not (about half of the
 * traced request's CPU, profiled). Here an unsampled request costs a context
 * extraction, the sampler's decision and one `context.with`; the attributes
 * are computed only for spans that are recorded. The app installs it only
 * when tracing is on (`tracingEnabled()`: the preload registered an SDK).
 */
export function tracingMiddleware(): RequestHandler {
  const tracer = trace.getTracer("@lumi/template/http");
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const method = httpMethodOf(req.method);
    const url = req.url;
    const queryAt = url.indexOf("?");
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "http.request.method": method,
          "url.scheme": "http",
          "url.path": queryAt === -1 ? url : url.slice(0, queryAt),
        },
      },
      parent,
    );
    if (!isTraced(span)) {
      next();
      return;
    }
    let spanContext = trace.setSpan(parent, span);
    // An unsampled span records nothing: no attributes, no route, and no end to wait for.
    if (span.isRecording()) {
      const slot: HttpRouteSlot = { route: undefined };
      spanContext = withHttpRouteSlot(spanContext, slot);
      span.setAttributes(requestAttributes(req, queryAt === -1 ? "" : url.slice(queryAt + 1)));
      if (method !== req.method) span.setAttribute("http.request.method_original", req.method);
      res.once("close", () => endSpan(span, slot.route, method, res));
    }
    // A body is read in stream callbacks: the request's listeners run in the
    // span's context, as with the http instrumentation (the JSON parser binds
    // its own callback; a handler reading the stream itself needs this).
    if (req.method !== "GET" && req.method !== "HEAD") context.bind(spanContext, req);
    context.with(spanContext, next);
  };
}

/** The attributes of a recorded span known when the request arrives. */
function requestAttributes(req: IncomingMessage, query: string): Attributes {
  const attributes: Attributes = {
    "network.peer.address": req.socket.remoteAddress,
    "network.peer.port": req.socket.remotePort,
    "network.protocol.version": req.httpVersion,
    "user_agent.original": req.headers["user-agent"],
  };
  const host = hostAndPort(req.headers.host);
  if (host !== undefined) {
    attributes["server.address"] = host.address;
    attributes["server.port"] = host.port;
  }
  if (query !== "") attributes["url.query"] = redactQuery(query);
  return attributes;
}

/** Ends a recorded span with the response's status, route and client address. */
function endSpan(span: Span, route: string | undefined, method: string, res: Response): void {
  const status = res.headersSent ? res.statusCode : 499;
  span.setAttribute("http.response.status_code", status);
  if (typeof res.locals.clientIp === "string") {
    span.setAttribute("client.address", res.locals.clientIp);
  }
  if (route !== undefined) {
    span.setAttribute("http.route", route);
    span.updateName(`${method} ${route}`);
  }
  if (status >= 500) {
    span.setAttribute("error.type", String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** `server.address` and `server.port` from a Host header (`name`, `name:port`, `[v6]:port`). */
function hostAndPort(host: string | undefined): { address: string; port: number } | undefined {
  if (host === undefined || host === "") return undefined;
  const colon = host.lastIndexOf(":");
  if (colon === -1 || host.endsWith("]")) return { address: host, port: 80 };
  const port = Number(host.slice(colon + 1));
  return { address: host.slice(0, colon), port: Number.isInteger(port) ? port : 80 };
}

/** The query string with the values of signature and credential keys replaced. */
function redactQuery(query: string): string {
  if (!redactedQueryKeys.some((key) => query.includes(key))) return query;
  const params = new URLSearchParams(query);
  for (const key of redactedQueryKeys) if (params.has(key)) params.set(key, "REDACTED");
  return params.toString();
}
