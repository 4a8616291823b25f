import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../errors/index.ts";
import { createProfiler, type Profiler, type ProfilingOptions } from "./profiling.ts";
import { sendProblem } from "./send-problem.ts";

interface Harness {
  readonly base: string;
  readonly profiler: Profiler;
  /** What each `handle` call resolved with, in order. */
  readonly handled: boolean[];
}

const token = "s3cret-token";
const servers: { server: http.Server; profiler: Profiler }[] = [];

async function start(overrides: Partial<ProfilingOptions> = {}): Promise<Harness> {
  const profiler = createProfiler({
    enabled: true,
    token,
    development: false,
    logger: pino({ level: "silent" }),
    maxSeconds: 5,
    ...overrides,
  });
  const handled: boolean[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://ops.test");
    void profiler.handle(req, res, url, "req-1").then((done) => {
      handled.push(done);
      if (!done) sendProblem(res, new AppError("ROUTE_NOT_FOUND"), "req-1", url.pathname);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({ server, profiler });
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, profiler, handled };
}

const auth = { authorization: `Bearer ${token}` };

afterEach(async () => {
  for (const { server, profiler } of servers.splice(0)) {
    await profiler.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe("createProfiler", () => {
  it("when disabled then every route answers 404 ROUTE_NOT_FOUND", async () => {
    const { base } = await start({ enabled: false });
    const res = await fetch(`${base}/debug/pprof/profile?seconds=1`, { headers: auth });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ code: "ROUTE_NOT_FOUND", request_id: "req-1" });
  });

  it("when outside development without a token configured then 403 PERMISSION_DENIED", async () => {
    const { base } = await start({ token: "" });
    const res = await fetch(`${base}/debug/pprof/`, { headers: auth });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      code: "PERMISSION_DENIED",
      detail: "profiling needs PROFILING_TOKEN outside development",
    });
  });

  it.each([
    ["missing", {}],
    ["wrong", { authorization: "Bearer nope" }],
    ["not a bearer", { authorization: `Basic ${token}` }],
  ])("when the bearer token is %s then 401 with WWW-Authenticate", async (_, headers) => {
    const { base } = await start();
    const res = await fetch(`${base}/debug/pprof/`, { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(await res.json()).toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("when the token is right then the index lists the routes", async () => {
    const { base } = await start();
    const res = await fetch(`${base}/debug/pprof/`, { headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { routes: { path: string }[] };
    expect(body.routes.map((route) => route.path)).toEqual([
      "/debug/pprof/profile",
      "/debug/pprof/heap",
      "/debug/pprof/heap-sampling",
    ]);
  });

  it("when the token is right then a CPU profile is returned as a .cpuprofile attachment", async () => {
    const { base } = await start();
    const res = await fetch(`${base}/debug/pprof/profile?seconds=1`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="cpu-\d{8}T\d{6}Z\.cpuprofile"$/,
    );
    const profile = (await res.json()) as Record<string, unknown>;
    expect(profile).toHaveProperty("nodes");
    expect(profile).toHaveProperty("startTime");
  });

  it("when in development without a token then requests are allowed", async () => {
    const { base } = await start({ development: true, token: "" });
    const res = await fetch(`${base}/debug/pprof/`);
    expect(res.status).toBe(200);
  });

  it("when in development with a wrong token presented then 401", async () => {
    const { base } = await start({ development: true });
    const res = await fetch(`${base}/debug/pprof/`, { headers: { authorization: "Bearer x" } });
    expect(res.status).toBe(401);
  });

  it("when heap sampling for 1 s then a .heapprofile with a head is returned", async () => {
    const { base } = await start();
    const res = await fetch(`${base}/debug/pprof/heap-sampling?seconds=1`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/\.heapprofile"$/);
    expect(await res.json()).toHaveProperty("head");
  });

  it("when a heap snapshot is asked then parseable snapshot JSON is streamed", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    const { base } = await start({ logger });
    const res = await fetch(`${base}/debug/pprof/heap`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("content-disposition")).toMatch(/\.heapsnapshot"$/);
    const text = await res.text();
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(text));
    expect(JSON.parse(text)).toHaveProperty("snapshot");
    // The line is written once the response has ended, so possibly after the client read it.
    await vi.waitFor(() => {
      const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(logged).toContainEqual(
        expect.objectContaining({ msg: "profiling done", route: "/debug/pprof/heap", level: 30 }),
      );
    });
    expect(lines.join("")).not.toContain(token);
  });

  it("when a request is refused then the log line never carries the token", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    const { base } = await start({ logger });
    const res = await fetch(`${base}/debug/pprof/`, {
      headers: { authorization: `Bearer ${token}x` },
    });
    expect(res.status).toBe(401);
    expect(lines).toHaveLength(1);
    expect(lines.join("")).not.toContain(token);
  });

  it.each(["0", "abc", "6", "", "1.5"])(
    "when seconds=%s then 400 VALIDATION_FAILED on seconds",
    async (seconds) => {
      const { base } = await start();
      const res = await fetch(`${base}/debug/pprof/profile?seconds=${seconds}`, { headers: auth });
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { code: string; errors: { field: string }[] };
      expect(problem.code).toBe("VALIDATION_FAILED");
      expect(problem.errors.map((violation) => violation.field)).toEqual(["seconds"]);
    },
  );

  it("when a profile is running then a second one gets 429 with Retry-After", async () => {
    const { base } = await start();
    const first = fetch(`${base}/debug/pprof/profile?seconds=2`, { headers: auth });
    await sleep(200);
    const second = await fetch(`${base}/debug/pprof/heap`, { headers: auth });
    expect(second.status).toBe(429);
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(second.headers.get("retry-after"))).toBeLessThanOrEqual(2);
    expect(await second.json()).toMatchObject({
      code: "RATE_LIMITED",
      detail: "a profile is already running",
    });
    expect((await first).status).toBe(200);
  });

  it("when the client disconnects mid-profile then the profile stops early", async () => {
    const { base } = await start();
    const client = new AbortController();
    const first = fetch(`${base}/debug/pprof/profile?seconds=5`, {
      headers: auth,
      signal: client.signal,
    }).catch((error: unknown) => error);
    await sleep(200);
    client.abort();
    await first;
    await sleep(100);
    const next = await fetch(`${base}/debug/pprof/heap-sampling?seconds=1`, { headers: auth });
    expect(next.status).toBe(200);
  });

  it("when closed mid-profile then the request gets 503 without waiting", async () => {
    const { base, profiler } = await start();
    const begun = Date.now();
    const first = fetch(`${base}/debug/pprof/profile?seconds=5`, { headers: auth });
    await sleep(200);
    await profiler.close();
    const res = await first;
    expect(res.status).toBe(503);
    expect(Date.now() - begun).toBeLessThan(2000);
  });

  it("when the method is not GET then 405 with Allow: GET", async () => {
    const { base } = await start();
    const res = await fetch(`${base}/debug/pprof/profile`, { method: "POST", headers: auth });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect(await res.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED" });
  });

  it("when the path is not a profiling route then handle resolves false", async () => {
    const { base, handled } = await start();
    const res = await fetch(`${base}/debug/pprof/xyz`, { headers: auth });
    expect(res.status).toBe(404);
    expect(handled).toEqual([false]);
  });
});
