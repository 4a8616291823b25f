import http from "node:http";
import { createRequire } from "node:module";
import { type AddressInfo, connect } from "node:net";
import { Writable } from "node:stream";
import {
  Code,
  ConnectError,
  type ConnectRouter,
  createClient,
  createRouterTransport,
} from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../src/gen/grpc/health/v1/health_pb.ts";
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
import { loadTelemetryConfig } from "../src/platform/config/index.ts";
import { createLogger, type Logger } from "../src/platform/logging/index.ts";
import {
  loggerKey,
  recoveryInterceptor,
  requestIdInterceptor,
  tracingInterceptor,
} from "../src/platform/rpc/index.ts";
import { tracingEnabled } from "../src/platform/telemetry/index.ts";
import { startTracing, type Tracing } from "../src/platform/telemetry/sdk.ts";
import { type LogLine, startService, type TestService } from "./harness.ts";
import { rawRequest } from "./http-support.ts";

// The production SDK set-up (sampler forced on) exporting to memory.
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let enabledBeforeStart: boolean | undefined;

beforeAll(() => {
  enabledBeforeStart = tracingEnabled();
  const config = loadTelemetryConfig(
    { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9", OTEL_TRACES_SAMPLER: "always_on" },
    { version: "0.0.0-test" },
  );
  tracing = startTracing(config, { spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  // node:http was loaded before the instrumentation was enabled (no --import
  // preload here): requiring it again lets the instrumentation patch the
  // module object every importer shares.
  createRequire(import.meta.url)("node:http");
});

afterAll(async () => {
  await tracing?.shutdown();
});

beforeEach(() => exporter.reset());

it("when an SDK is registered then tracingEnabled says so, and not before (the listeners install their hooks on it)", () => {
  expect(enabledBeforeStart).toBe(false);
  expect(tracingEnabled()).toBe(true);
});

const incomingTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const incomingSpanId = "00f067aa0ba902b7";
const traceparent = `00-${incomingTraceId}-${incomingSpanId}-01`;

/** Finished spans matching `match`, waiting briefly for them to end. */
async function spansWhere(
  match: (span: ReadableSpan) => boolean,
  count = 1,
): Promise<ReadableSpan[]> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const found = exporter.getFinishedSpans().filter(match);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A logger writing into `lines`, each raw line kept to check it has no duplicate keys. */
function capturingLogger(): { logger: Logger; lines: LogLine[]; raw: string[] } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) {
        if (line === "") continue;
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  const logger = createLogger({
    level: "info",
    service: "svc",
    version: "0.0.0-test",
    environment: "test",
    destination,
  });
  return { logger, lines, raw };
}

/** A local server recording the `traceparent` of each request it receives. */
async function startDownstream(): Promise<{ url: string; seen: string[]; close(): void }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(String(req.headers.traceparent ?? ""));
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/downstream`,
    seen,
    close: () => server.close(),
  };
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe("the RPC tracing interceptor", () => {
  const { logger, lines, raw } = capturingLogger();
  let downstream: Awaited<ReturnType<typeof startDownstream>>;
  beforeAll(async () => {
    downstream = await startDownstream();
  });
  afterAll(() => downstream?.close());

  const routes = (router: ConnectRouter) => {
    router.service(ItemService, {
      async listItems(_req, context) {
        context.values.get(loggerKey)?.info("listing from the call logger");
        logger.info("listing from the root logger");
        await fetch(downstream.url);
        return { items: [] };
      },
      async getItem(req) {
        if (req.id === "bug") throw new Error("secret detail");
        throw new ConnectError("no such item", Code.NotFound);
      },
    });
    router.service(Health, {
      async *watch(_req, context) {
        for (let i = 0; i < 2; i++) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          context.values.get(loggerKey)?.info({ i }, "streaming");
          logger.info({ i }, "streaming from the root logger");
          yield { status: HealthCheckResponse_ServingStatus.SERVING };
        }
      },
    });
  };
  const transport = createRouterTransport(routes, {
    router: {
      interceptors: [requestIdInterceptor(logger), tracingInterceptor(), recoveryInterceptor()],
    },
  });
  const items = createClient(ItemService, transport);

  it("when a call carries a traceparent then its SERVER span continues that trace", async () => {
    await items.listItems({}, { headers: { traceparent } });
    const [span] = await spansWhere((s) => s.name === "lumi.template.v1.ItemService/ListItems");
    expect(span).toBeDefined();
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe(incomingTraceId);
    expect(span?.parentSpanContext?.spanId).toBe(incomingSpanId);
    expect(span?.attributes).toEqual({
      "rpc.system.name": "connect_rpc",
      "rpc.method": "lumi.template.v1.ItemService/ListItems",
      "rpc.response.status_code": "OK",
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("when the handler logs then both its call logger and the root logger carry the span's ids", async () => {
    lines.length = 0;
    raw.length = 0;
    await items.listItems({}, { headers: { traceparent } });
    const [span] = await spansWhere((s) => s.name === "lumi.template.v1.ItemService/ListItems");
    const ids = {
      trace_id: incomingTraceId,
      span_id: span?.spanContext().spanId,
      trace_flags: "01",
    };
    expect(lines.find((l) => l.msg === "listing from the call logger")).toMatchObject(ids);
    expect(lines.find((l) => l.msg === "listing from the root logger")).toMatchObject(ids);
    // Bindings and the mixin never both write the fields.
    for (const line of raw) expect(occurrences(line, '"trace_id"'), line).toBe(1);
  });

  it("when the handler calls fetch then the outbound request carries the call's trace", async () => {
    downstream.seen.length = 0;
    await items.listItems({}, { headers: { traceparent } });
    const [server] = await spansWhere((s) => s.name === "lumi.template.v1.ItemService/ListItems");
    const [client] = await spansWhere(
      (s) =>
        s.kind === SpanKind.CLIENT && s.parentSpanContext?.spanId === server?.spanContext().spanId,
    );
    expect(client).toBeDefined();
    expect(downstream.seen).toEqual([`00-${incomingTraceId}-${client?.spanContext().spanId}-01`]);
  });

  it("when no traceparent arrives then the call starts a new trace", async () => {
    await items.listItems({});
    const [span] = await spansWhere((s) => s.name === "lumi.template.v1.ItemService/ListItems");
    expect(span?.spanContext().traceId).not.toBe(incomingTraceId);
    expect(span?.parentSpanContext).toBeUndefined();
  });

  it("when the handler fails with a bug then the span is an error with error.type", async () => {
    const error = await items.getItem({ id: "bug" }, { headers: { traceparent } }).catch((e) => e);
    expect(ConnectError.from(error).code).toBe(Code.Internal);
    const [span] = await spansWhere((s) => s.name === "lumi.template.v1.ItemService/GetItem");
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.status.message).not.toContain("secret");
    expect(span?.attributes["rpc.response.status_code"]).toBe("INTERNAL");
    expect(span?.attributes["error.type"]).toBe("INTERNAL");
  });

  it("when the client is at fault then the span records the code but is not an error", async () => {
    await items.getItem({ id: "missing" }).catch(() => undefined);
    const [span] = await spansWhere((s) => s.name === "lumi.template.v1.ItemService/GetItem");
    expect(span?.attributes["rpc.response.status_code"]).toBe("NOT_FOUND");
    expect(span?.attributes["error.type"]).toBeUndefined();
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("when a response streams then the span ends with the stream and the handler runs in it", async () => {
    lines.length = 0;
    const health = createClient(Health, transport);
    const received: unknown[] = [];
    for await (const message of health.watch({}, { headers: { traceparent } })) {
      received.push(message.status);
      // Not ended while messages are still coming.
      expect(
        exporter.getFinishedSpans().some((s) => s.name === "grpc.health.v1.Health/Watch"),
      ).toBe(false);
    }
    expect(received).toHaveLength(2);
    const [span] = await spansWhere((s) => s.name === "grpc.health.v1.Health/Watch");
    expect(span?.attributes["rpc.response.status_code"]).toBe("OK");
    const spanId = span?.spanContext().spanId;
    const streamed = lines.filter((l) => String(l.msg).startsWith("streaming"));
    expect(streamed).toHaveLength(4);
    for (const line of streamed)
      expect(line).toMatchObject({ trace_id: incomingTraceId, span_id: spanId });
  });
});

describe("the service in-process, traced", () => {
  let svc: TestService;
  let downstream: Awaited<ReturnType<typeof startDownstream>>;
  beforeAll(async () => {
    downstream = await startDownstream();
    svc = await startService(
      {},
      {
        extraRoutes: (router) => {
          router.get("/test/outbound", async (_req, res) => {
            svc.service.logger.info("calling downstream");
            const answer = await fetch(downstream.url);
            res.json({ status: answer.status });
          });
          router.post("/test/body", (req, res) => {
            svc.service.logger.info("body read");
            res.json({ received: req.body });
          });
        },
      },
    );
  });
  afterAll(async () => {
    await svc?.stop();
    downstream?.close();
  });

  it("when an HTTP request carries a traceparent then the trace flows to the handler's outbound fetch", async () => {
    downstream.seen.length = 0;
    const res = await rawRequest(
      svc.ports.http,
      `GET /test/outbound HTTP/1.1\r\nHost: x\r\ntraceparent: ${traceparent}\r\nConnection: close\r\n\r\n`,
    );
    expect(res.status).toBe(200);
    const [server] = await spansWhere(
      (s) => s.kind === SpanKind.SERVER && s.attributes["url.path"] === "/test/outbound",
    );
    expect(server?.spanContext().traceId).toBe(incomingTraceId);
    expect(server?.parentSpanContext?.spanId).toBe(incomingSpanId);
    const [client] = await spansWhere(
      (s) => s.kind === SpanKind.CLIENT && s.spanContext().traceId === incomingTraceId,
    );
    expect(client).toBeDefined();
    expect(downstream.seen).toEqual([`00-${incomingTraceId}-${client?.spanContext().spanId}-01`]);

    // The access line (written on close) and a line the handler wrote carry the ids.
    const access = svc.logs.find((l) => l.msg === "request" && l.route === "/test/outbound");
    expect(access).toMatchObject({
      trace_id: incomingTraceId,
      span_id: server?.spanContext().spanId,
      trace_flags: "01",
    });
    expect(svc.logs.find((l) => l.msg === "calling downstream")).toMatchObject({
      trace_id: incomingTraceId,
    });
  });

  it("when a request's body arrives after its headers then the route still runs in its span", async () => {
    const body = JSON.stringify({ name: "x" });
    // The body is written 50 ms after the headers: it is read in socket
    // callbacks, outside the context the headers were handled in.
    const socket = connect(svc.ports.http, "127.0.0.1");
    socket.write(
      `POST /test/body HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\ntraceparent: ${traceparent}\r\nConnection: close\r\n\r\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.end(body);
    let response = "";
    for await (const chunk of socket) response += String(chunk);
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    // (a route added without the route table does not name the span)
    const [server] = await spansWhere(
      (s) => s.kind === SpanKind.SERVER && s.attributes["url.path"] === "/test/body",
    );
    expect(server?.name).toBe("POST");
    expect(server?.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.response.status_code": 200,
      "url.path": "/test/body",
      "url.scheme": "http",
      "client.address": "127.0.0.1",
    });
    expect(svc.logs.findLast((l) => l.msg === "body read")).toMatchObject({
      trace_id: incomingTraceId,
      span_id: server?.spanContext().spanId,
    });
  });

  it("when a query carries a signature then its value is not put on the span", async () => {
    await rawRequest(
      svc.ports.http,
      "GET /v1/items?page_size=1&X-Amz-Signature=secret HTTP/1.1\r\nHost: x:8080\r\nConnection: close\r\n\r\n",
    );
    const [server] = await spansWhere(
      (s) => s.kind === SpanKind.SERVER && s.attributes["http.route"] === "/v1/items",
    );
    expect(server?.attributes).toMatchObject({
      "url.query": "page_size=1&X-Amz-Signature=REDACTED",
      "server.address": "x",
      "server.port": 8080,
    });
  });

  it("when the ops listener is called then no span is made", async () => {
    await rawRequest(svc.ports.ops, "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await rawRequest(
      svc.ports.ops,
      "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it("when an RPC arrives over HTTP/1.1 then only the RPC span is made, continuing the caller's trace", async () => {
    const body = "{}";
    const res = await rawRequest(
      svc.ports.rpc,
      `POST /lumi.template.v1.ItemService/ListItems HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\ntraceparent: ${traceparent}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(res.status).toBe(200);
    const [span] = await spansWhere((s) => s.name === "lumi.template.v1.ItemService/ListItems");
    expect(span?.parentSpanContext?.spanId).toBe(incomingSpanId);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([
      "lumi.template.v1.ItemService/ListItems",
    ]);
    const line = svc.logs.findLast((l) => l.msg === "rpc");
    expect(line).toMatchObject({ trace_id: incomingTraceId, span_id: span?.spanContext().spanId });
  });

  it("when an RPC arrives over gRPC then its span continues the caller's trace", async () => {
    const client = createClient(ItemService, createGrpcTransport({ baseUrl: svc.rpcUrl }));
    await client.listItems({}, { headers: { traceparent } });
    const [span] = await spansWhere((s) => s.name === "lumi.template.v1.ItemService/ListItems");
    expect(span?.attributes["rpc.system.name"]).toBe("grpc");
    expect(span?.spanContext().traceId).toBe(incomingTraceId);
    expect(span?.parentSpanContext?.spanId).toBe(incomingSpanId);
  });
});
