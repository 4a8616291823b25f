import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
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
    // `npm run build`: the type check, then the bundle.
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
      cwd: templateDir,
      stdio: "pipe",
    });
    execFileSync(process.execPath, ["scripts/bundle.ts"], { cwd: templateDir, stdio: "pipe" });
  }, 120_000);

  it("when the service is bundled then dist holds the three entry points and their shared chunks, and no sources", () => {
    const files = readdirSync(distDir, { recursive: true }).map(String);
    expect(files.filter((file) => !file.includes("/")).sort()).toEqual(
      [
        "chunks",
        "main.js",
        "main.js.map",
        "migrate.js",
        "migrate.js.map",
        "register.js",
        "register.js.map",
      ].sort(),
    );
    expect(files.some((file) => file.endsWith(".ts"))).toBe(false);
  });

  it("when the service is bundled then Node's built-ins are required, not imported (no module facades at start-up)", () => {
    const files = readdirSync(distDir, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith(".js"));
    const imported = new Set<string>();
    for (const file of files) {
      const code = readFileSync(join(distDir, file), "utf8");
      for (const match of code.matchAll(/^import .* from "(node:[^"]+|[a-z0-9_/]+)";$/gm)) {
        imported.add(match[1] ?? "");
      }
    }
    // (The banner's import of node:module shares its line with the require it defines.)
    expect([...imported]).toEqual([]);
  });

  // lumi:begin embedded
  it("when the bundled migration command runs then it finds the migrations beside dist and loads the embedded store", () => {
    const store = mkdtempSync(join(tmpdir(), "lumi-build-"));
    try {
      const status = execFileSync(process.execPath, [`${distDir}/migrate.js`, "status"], {
        cwd: tmpdir(),
        env: { PATH: process.env.PATH ?? "", DATABASE_EMBEDDED_DIR: store },
        encoding: "utf8",
      });
      expect(status).toMatch(/0001_create_items\s+pending/);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
  // lumi:end embedded

  it("when the sources are bundled to dist then the bundled service starts, answers and drains", async () => {
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

  it("when the bundled tracing preload is imported then the bundled service exports spans", async () => {
    const sink = await startOtlpSink();
    const svc = await spawnService(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_TRACES_SAMPLER: "always_on",
        OTEL_BSP_SCHEDULE_DELAY: "100",
      },
      `${distDir}/main.js`,
      ["--import", `${distDir}/register.js`],
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
