import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnService } from "./harness.ts";
import { startOtlpSink } from "./otlp-sink.ts";

const templateDir = fileURLToPath(new URL("..", import.meta.url));
const distDir = fileURLToPath(new URL("../dist", import.meta.url));

afterAll(() => rmSync(distDir, { recursive: true, force: true }));

describe("the production build", () => {
  beforeAll(() => {
    rmSync(distDir, { recursive: true, force: true });
    const tsc = join(
      dirname(createRequire(import.meta.url).resolve("typescript/package.json")),
      "bin/tsc",
    );
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
      cwd: templateDir,
      stdio: "pipe",
    });
  }, 120_000);

  it("when the sources are compiled to dist then the compiled service starts, answers and drains", async () => {
    const svc = await spawnService({}, `${distDir}/main.js`);
    expect((await fetch(`${svc.opsUrl}/readyz`)).status).toBe(200);
    const created = await fetch(`${svc.httpUrl}/v1/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "built" }),
    });
    expect(created.status).toBe(201);
    // lumi:begin rpc
    const rpc = await fetch(`${svc.rpcUrl}/lumi.template.v1.ItemService/ListItems`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(((await rpc.json()) as { items: unknown[] }).items).toHaveLength(1);
    // lumi:end rpc
    // lumi:begin !rpc
    // const listed = await fetch(`${svc.httpUrl}/v1/items`);
    // expect(((await listed.json()) as { items: unknown[] }).items).toHaveLength(1);
    // lumi:end !rpc
    svc.child.kill("SIGTERM");
    expect((await svc.exited).code).toBe(0);
  });

  it("when the compiled tracing preload is imported then the compiled service exports spans", async () => {
    const sink = await startOtlpSink();
    const svc = await spawnService(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_TRACES_SAMPLER: "always_on",
        OTEL_BSP_SCHEDULE_DELAY: "100",
      },
      `${distDir}/main.js`,
      ["--import", `${distDir}/platform/telemetry/register.js`],
    );
    try {
      expect((await fetch(`${svc.httpUrl}/v1/items`)).status).toBe(200);
      // The route names the http server span (no express instrumentation).
      const [server] = await sink.waitForSpans((s) => s.attributes["http.route"] === "/v1/items");
      expect(server).toMatchObject({ name: "GET /v1/items", scope: "@lumi/template/http" });
      svc.child.kill("SIGTERM");
      expect((await svc.exited).code).toBe(0);
    } finally {
      svc.child.kill("SIGKILL");
      await sink.close();
    }
  });
});
