import http from "node:http";
import type { AddressInfo } from "node:net";

/** One OTLP/HTTP export the sink received. */
export interface SinkPost {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
  /** `Date.now()` when the body had fully arrived. */
  readonly at: number;
}

/** An attribute value as OTLP/JSON writes it. */
type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
};

/** A span decoded from an OTLP/JSON export, with its resource and scope. */
export interface SinkSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** "" for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly status: { readonly code?: number; readonly message?: string };
  readonly scope: string;
  readonly resource: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** A local OTLP/HTTP collector stand-in recording every export. */
export interface OtlpSink {
  /** The base URL, for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly url: string;
  readonly posts: SinkPost[];
  /** Every span received as OTLP/JSON so far. */
  spans(): SinkSpan[];
  /** Resolves with the spans matching `match` once `count` of them have arrived. */
  waitForSpans(
    match: (span: SinkSpan) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<SinkSpan[]>;
  close(): Promise<void>;
}

function plainValue(value: AnyValue): string | number | boolean | undefined {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.boolValue ?? value.doubleValue;
}

function attributesOf(list: { key: string; value: AnyValue }[] = []) {
  return Object.fromEntries(list.map(({ key, value }) => [key, plainValue(value)]));
}

interface ExportBody {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: AnyValue }[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: (Omit<SinkSpan, "attributes" | "scope" | "resource" | "parentSpanId"> & {
        parentSpanId?: string;
        attributes?: { key: string; value: AnyValue }[];
      })[];
    }[];
  }[];
}

/** Starts a sink on 127.0.0.1 (port 0) answering every export with success. */
export async function startOtlpSink(): Promise<OtlpSink> {
  const posts: SinkPost[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const contentType = String(req.headers["content-type"] ?? "");
      posts.push({ path: req.url ?? "", contentType, body: Buffer.concat(chunks), at: Date.now() });
      // An empty ExportTraceServiceResponse, in the request's encoding.
      if (contentType.includes("json"))
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      else res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const spans = (): SinkSpan[] =>
    posts
      .filter((post) => post.contentType.includes("json"))
      .flatMap((post) => {
        const body = JSON.parse(post.body.toString("utf8")) as ExportBody;
        return (body.resourceSpans ?? []).flatMap((rs) => {
          const resource = attributesOf(rs.resource?.attributes);
          return (rs.scopeSpans ?? []).flatMap((ss) =>
            (ss.spans ?? []).map((span) => ({
              ...span,
              parentSpanId: span.parentSpanId ?? "",
              attributes: attributesOf(span.attributes),
              scope: ss.scope?.name ?? "",
              resource,
            })),
          );
        });
      });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    spans,
    async waitForSpans(match, count = 1, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = spans().filter(match);
        if (found.length >= count) return found;
        if (Date.now() > deadline) {
          throw new Error(`${found.length} of ${count} spans arrived within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
