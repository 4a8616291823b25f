import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
// lumi:begin rpc
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
// lumi:end rpc
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// lumi:begin rpc
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
// lumi:end rpc
import { type ChildService, spawnService } from "./harness.ts";
import { type OtlpSink, startOtlpSink } from "./otlp-sink.ts";

/** The tracer of the data layer: its query spans are children of request spans. */
const dataScope = "@lumi/template/data";

const registerPath = fileURLToPath(
  new URL("../src/platform/telemetry/register.ts", import.meta.url),
);
const preload = ["--import", registerPath];
const version = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

const incomingTraceId = "5bf92f3577b34da6a3ce929d0e0e4736";
const incomingSpanId = "10f067aa0ba902b7";
const traceparent = `00-${incomingTraceId}-${incomingSpanId}-01`;

/** OTLP span kinds. */
const kind = { internal: 1, server: 2, client: 3 } as const;

describe("tracing on: the service as its own process, exporting to a local OTLP sink", () => {
  let sink: OtlpSink;
  let svc: ChildService;
  beforeAll(async () => {
    sink = await startOtlpSink();
    svc = await spawnService(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_TRACES_SAMPLER: "always_on",
        OTEL_BSP_SCHEDULE_DELAY: "100",
        DEPLOYMENT_ENVIRONMENT: "ci",
        RATE_LIMIT_ENABLED: "false",
      },
      undefined,
      preload,
    );
  });
  afterAll(async () => {
    svc?.child.kill("SIGTERM");
    await svc?.exited;
    await sink?.close();
  });

  it("when an HTTP request carries a traceparent then its server and handler spans continue the trace", async () => {
    const res = await fetch(`${svc.httpUrl}/v1/items`, { headers: { traceparent } });
    expect(res.status).toBe(200);
    const [server] = await sink.waitForSpans(
      (s) => s.kind === kind.server && s.attributes["http.route"] === "/v1/items",
    );
    expect(server).toMatchObject({
      traceId: incomingTraceId,
      parentSpanId: incomingSpanId,
      scope: "@lumi/template/http",
      resource: {
        "service.name": "lumi-template",
        "service.version": version,
        "deployment.environment.name": "ci",
      },
    });
    // The route names the server span (no express instrumentation: its layer
    // wrapping costs more than a handler span is worth).
    expect(server?.name).toBe("GET /v1/items");
    // Besides the database's own query spans, the tracing middleware makes the only span.
    const trace = sink
      .spans()
      .filter((s) => s.traceId === incomingTraceId && s.scope !== dataScope);
    expect(trace.map((s) => s.scope)).toEqual(["@lumi/template/http"]);

    const access = svc.logs.find((l) => l.msg === "request" && l.route === "/v1/items");
    expect(access).toMatchObject({
      trace_id: incomingTraceId,
      span_id: server?.spanId,
      trace_flags: "01",
    });
  });

  it("when a request has no traceparent then it starts a trace of its own", async () => {
    const res = await fetch(`${svc.httpUrl}/v1/items?page_size=1`);
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id");
    const [server] = await sink.waitForSpans(
      (s) => s.kind === kind.server && s.attributes["url.query"] === "page_size=1",
    );
    expect(server?.parentSpanId).toBe("");
    expect(server?.traceId).not.toBe(incomingTraceId);
    const access = svc.logs.find((l) => l.msg === "request" && l.request_id === requestId);
    expect(access?.trace_id).toBe(server?.traceId);
  });
  // lumi:begin rpc

  it("when an RPC arrives over Connect (HTTP/1.1) then one SERVER span continues the caller's trace", async () => {
    const traceId = "6bf92f3577b34da6a3ce929d0e0e4736";
    const res = await fetch(`${svc.rpcUrl}/lumi.template.v1.ItemService/ListItems`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        traceparent: `00-${traceId}-${incomingSpanId}-01`,
      },
      body: "{}",
    });
    expect(res.status).toBe(200);
    const [span] = await sink.waitForSpans((s) => s.traceId === traceId && s.scope !== dataScope);
    expect(span).toMatchObject({
      name: "lumi.template.v1.ItemService/ListItems",
      kind: kind.server,
      parentSpanId: incomingSpanId,
      scope: "@lumi/template/rpc",
      attributes: {
        "rpc.system.name": "connect_rpc",
        "rpc.method": "lumi.template.v1.ItemService/ListItems",
        "rpc.response.status_code": "OK",
      },
    });
    // No HTTP server span for the RPC listener's connections.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.spans().filter((s) => s.traceId === traceId && s.scope !== dataScope)).toHaveLength(
      1,
    );
    const line = svc.logs.find((l) => l.msg === "rpc" && l.trace_id === traceId);
    expect(line?.span_id).toBe(span?.spanId);
  });
  // lumi:end rpc
  // lumi:begin rpc

  it("when an RPC arrives over gRPC (h2c) then its SERVER span continues the caller's trace", async () => {
    const traceId = "7bf92f3577b34da6a3ce929d0e0e4736";
    const client = createClient(ItemService, createGrpcTransport({ baseUrl: svc.rpcUrl }));
    await client
      .getItem(
        { id: "00000000-0000-4000-8000-000000000000" },
        { headers: { traceparent: `00-${traceId}-${incomingSpanId}-01` } },
      )
      .catch(() => undefined);
    const [span] = await sink.waitForSpans((s) => s.traceId === traceId && s.scope !== dataScope);
    expect(span).toMatchObject({
      name: "lumi.template.v1.ItemService/GetItem",
      parentSpanId: incomingSpanId,
      attributes: { "rpc.system.name": "grpc", "rpc.response.status_code": "NOT_FOUND" },
    });
    expect(span?.attributes["error.type"]).toBeUndefined();
  });
  // lumi:end rpc

  it("when the ops listener answers health checks and scrapes then no span is exported", async () => {
    await fetch(`${svc.opsUrl}/readyz`);
    await fetch(`${svc.opsUrl}/metrics`);
    await fetch(`${svc.httpUrl}/v1/items?after=ops`);
    // The later HTTP request's span arriving shows the exports are flowing.
    await sink.waitForSpans((s) => s.attributes["url.query"] === "after=ops");
    const paths = sink.spans().map((s) => s.attributes["url.path"]);
    expect(paths).not.toContain("/readyz");
    expect(paths).not.toContain("/metrics");
    expect(sink.spans().some((s) => s.attributes["server.port"] === svc.ports.ops)).toBe(false);
  });
});

describe("tracing on: the SDK's standard variables", () => {
  it("when OTEL_PROPAGATORS and OTEL_RESOURCE_ATTRIBUTES are set then B3 headers are continued and the resource carries the attributes", async () => {
    const sink = await startOtlpSink();
    const svc = await spawnService(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_TRACES_SAMPLER: "always_on",
        OTEL_BSP_SCHEDULE_DELAY: "100",
        OTEL_PROPAGATORS: "b3multi",
        OTEL_RESOURCE_ATTRIBUTES: "team=orders,cloud.region=eu-west-1",
      },
      undefined,
      preload,
    );
    try {
      const traceId = "7bf92f3577b34da6a3ce929d0e0e4736";
      // A W3C header is ignored: only B3 is configured.
      const res = await fetch(`${svc.httpUrl}/v1/items?b3=1`, {
        headers: {
          "x-b3-traceid": traceId,
          "x-b3-spanid": incomingSpanId,
          "x-b3-sampled": "1",
          traceparent,
        },
      });
      expect(res.status).toBe(200);
      const [server] = await sink.waitForSpans((s) => s.attributes["url.query"] === "b3=1");
      expect(server).toMatchObject({
        traceId,
        parentSpanId: incomingSpanId,
        resource: { team: "orders", "cloud.region": "eu-west-1", "service.name": "lumi-template" },
      });
    } finally {
      svc.child.kill("SIGTERM");
      await svc.exited;
      await sink.close();
    }
  });
});

describe("tracing on: shutdown", () => {
  it("when SIGTERM arrives then buffered spans are exported before the process exits", async () => {
    const sink = await startOtlpSink();
    // A batch delay far beyond the test: only the shutdown flush can export the span.
    const svc = await spawnService(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_TRACES_SAMPLER: "always_on",
        OTEL_BSP_SCHEDULE_DELAY: "600000",
      },
      undefined,
      preload,
    );
    try {
      await fetch(`${svc.httpUrl}/v1/items`, { headers: { traceparent } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sink.posts).toEqual([]);
      svc.child.kill("SIGTERM");
      const { code, at } = await svc.exited;
      expect(code).toBe(0);
      // The default protocol, http/protobuf: the trace id travels as 16 raw bytes.
      const post = sink.posts.find((p) => p.body.includes(Buffer.from(incomingTraceId, "hex")));
      expect(post).toMatchObject({ path: "/v1/traces", contentType: "application/x-protobuf" });
      expect(post?.at).toBeLessThanOrEqual(at);
    } finally {
      svc.child.kill("SIGKILL");
      await sink.close();
    }
  });
});

describe("tracing off", () => {
  const run = promisify(execFile);
  /** A preload that records every module resolved after it. */
  const recordResolutions = `data:text/javascript,${encodeURIComponent(
    "import { registerHooks } from 'node:module'; globalThis.resolved = []; registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); globalThis.resolved.push(result.url); return result; } });",
  )}`;
  const loadedModules = async (env: Record<string, string>) => {
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        recordResolutions,
        "--import",
        registerPath,
        "--input-type=module",
        "-e",
        "console.log(JSON.stringify(globalThis.resolved.filter((url) => /@opentelemetry|import-in-the-middle/.test(url))))",
      ],
      { env: { PATH: process.env.PATH ?? "", ...env } },
    );
    return JSON.parse(stdout) as string[];
  };

  it("when no OTLP endpoint is set then the preload loads no OpenTelemetry module", async () => {
    expect(await loadedModules({})).toEqual([]);
  });

  it("when OTEL_SDK_DISABLED is true then the preload loads no OpenTelemetry module", async () => {
    expect(
      await loadedModules({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
        OTEL_SDK_DISABLED: "true",
      }),
    ).toEqual([]);
  });

  it("when an endpoint is set then the preload does load the SDK (the check above can fail)", async () => {
    const loaded = await loadedModules({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" });
    expect(loaded.some((url) => url.includes("@opentelemetry/sdk-trace/"))).toBe(true);
    // Only the SDK's parts the template uses (ADR 0017): no umbrella packages,
    // no instrumentation besides http and undici. (The OTLP exporters' shared
    // transformer still imports the metrics and logs SDKs.)
    const instrumentations = new Set(
      loaded.flatMap((url) => /@opentelemetry\/(instrumentation-[\w-]+)\//.exec(url)?.[1] ?? []),
    );
    expect([...instrumentations].sort()).toEqual([
      "instrumentation-http",
      "instrumentation-undici",
    ]);
    expect(loaded.filter((url) => /sdk-node|auto-instrumentations/.test(url))).toEqual([]);
  });

  it("when the preload runs without an endpoint then the service logs no trace fields", async () => {
    const svc = await spawnService({}, undefined, preload);
    await fetch(`${svc.httpUrl}/v1/items`, { headers: { traceparent } });
    svc.child.kill("SIGTERM");
    expect((await svc.exited).code).toBe(0);
    expect(svc.logs.find((l) => l.msg === "request")).toBeDefined();
    expect(svc.logs.some((l) => "trace_id" in l)).toBe(false);
    expect(svc.stderr()).toBe("");
  });

  it("when a tracing key is invalid then tracing stays off and the boot fails naming the key", async () => {
    const error = await spawnService(
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9", OTEL_TRACES_SAMPLER: "sometimes" },
      undefined,
      preload,
    ).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain("service exited with 1");
    expect(message).toContain('"msg":"tracing off: invalid configuration"');
    expect(message).toMatch(/"msg":"invalid configuration".*OTEL_TRACES_SAMPLER/);
  });
});
