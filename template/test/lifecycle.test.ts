import net from "node:net";
// lumi:begin rpc
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
// lumi:end rpc
import { afterEach, describe, expect, it } from "vitest";
// lumi:begin rpc
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
// lumi:end rpc
import { type ChildService, spawnService, startService } from "./harness.ts";
import { runHttpLoad } from "./load-client.ts";

const children: ChildService[] = [];
afterEach(() => {
  for (const { child } of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

async function spawn(env: Record<string, string>): Promise<ChildService> {
  const svc = await spawnService(env);
  children.push(svc);
  return svc;
}

/** Polls /readyz until it answers 503; resolves with when that was first seen. */
async function waitForNotReady(opsUrl: string, maxMs: number): Promise<number> {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    const res = await fetch(`${opsUrl}/readyz`).catch(() => undefined);
    if (res?.status === 503) return Date.now();
    await res?.body?.cancel();
  }
  throw new Error("readiness never turned 503");
}

describe("graceful shutdown", () => {
  it("when SIGTERM arrives then /readyz answers 503 within 100 ms while the drain delay keeps serving", async () => {
    const svc = await spawn({ SHUTDOWN_DRAIN_DELAY_MS: "1500" });
    expect((await fetch(`${svc.opsUrl}/readyz`)).status).toBe(200);
    const signalled = Date.now();
    svc.child.kill("SIGTERM");
    const notReadyAt = await waitForNotReady(svc.opsUrl, 1_000);
    expect(notReadyAt - signalled).toBeLessThanOrEqual(100);
    const body = (await (await fetch(`${svc.opsUrl}/readyz`)).json()) as { status: string };
    expect(body.status).toBe("draining");
    // Still serving during the delay.
    const res = await fetch(`${svc.httpUrl}/v1/items`);
    expect(res.status).toBe(200);
    expect((await svc.exited).code).toBe(0);
  });

  it("when SIGTERM arrives under keep-alive load then no request fails and the process exits 0 in time", async () => {
    const drainDelayMs = 1_500;
    const timeoutMs = 5_000;
    const svc = await spawn({
      SHUTDOWN_DRAIN_DELAY_MS: String(drainDelayMs),
      SHUTDOWN_TIMEOUT_MS: String(timeoutMs),
      RATE_LIMIT_ENABLED: "false",
    });
    // The load balancer stops sending some time after readiness turns 503
    // (endpoint propagation), well inside the drain delay.
    let stopSending = false;
    const httpLoad = runHttpLoad({
      url: `${svc.httpUrl}/v1/items`,
      concurrency: 4,
      shouldStop: () => stopSending,
      maxMs: 15_000,
    });
    // lumi:begin rpc
    const rpcClients = [
      createClient(ItemService, createGrpcTransport({ baseUrl: svc.rpcUrl })),
      createClient(ItemService, createConnectTransport({ baseUrl: svc.rpcUrl, httpVersion: "2" })),
      createClient(
        ItemService,
        createConnectTransport({ baseUrl: svc.rpcUrl, httpVersion: "1.1" }),
      ),
    ];
    const rpcReport = { ok: 0, failed: 0, errors: [] as string[] };
    const rpcLoad = Promise.all(
      rpcClients.flatMap((client) =>
        [1, 2].map(async () => {
          const until = Date.now() + 15_000;
          while (!stopSending && Date.now() < until) {
            try {
              await client.listItems({ pageSize: 5 });
              rpcReport.ok++;
            } catch (error) {
              rpcReport.failed++;
              rpcReport.errors.push(String(error));
            }
          }
        }),
      ),
    );
    // lumi:end rpc
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const signalled = Date.now();
    svc.child.kill("SIGTERM");
    await waitForNotReady(svc.opsUrl, 1_000);
    await new Promise((resolve) => setTimeout(resolve, drainDelayMs / 2));
    stopSending = true;
    // lumi:begin rpc
    const [httpReport] = await Promise.all([httpLoad, rpcLoad]);
    // lumi:end rpc
    // lumi:begin !rpc
    // const httpReport = await httpLoad;
    // lumi:end !rpc
    const { code, at } = await svc.exited;

    expect(httpReport.errors).toEqual([]);
    // lumi:begin rpc
    expect(rpcReport.errors).toEqual([]);
    // lumi:end rpc
    expect(httpReport.ok).toBeGreaterThan(100);
    // lumi:begin rpc
    expect(rpcReport.ok).toBeGreaterThan(100);
    // lumi:end rpc
    expect(httpReport.connectionClose).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(at - signalled).toBeLessThanOrEqual(drainDelayMs + timeoutMs);
    const complete = svc.logs.find((line) => line.msg === "shutdown complete");
    expect(complete?.forced_connections).toBe(0);
  });

  it("when a request never finishes then its connection is force-closed at the deadline and counted", async () => {
    const timeoutMs = 1_000;
    const svc = await spawn({ SHUTDOWN_TIMEOUT_MS: String(timeoutMs) });
    const socket = net.connect(svc.ports.http, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    // Headers promise 100 bytes of body; only a few ever come.
    socket.write(
      'POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closed = new Promise<number>((resolve) =>
      socket.once("close", () => resolve(Date.now())),
    );
    socket.on("error", () => {});
    const signalled = Date.now();
    svc.child.kill("SIGTERM");
    const closedAt = await closed;
    expect(Math.abs(closedAt - signalled - timeoutMs)).toBeLessThanOrEqual(500);
    expect((await svc.exited).code).toBe(0);
    const forced = svc.logs.find(
      (line) => line.msg === "force-closed connections at the shutdown deadline",
    );
    expect(forced?.forced).toBe(1);
    expect(svc.logs.find((line) => line.msg === "shutdown complete")?.forced_connections).toBe(1);
  });

  it("when two signals arrive then shutdown runs once and the process exits 0", async () => {
    const svc = await spawn({ SHUTDOWN_DRAIN_DELAY_MS: "300" });
    svc.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 50));
    svc.child.kill("SIGINT");
    expect((await svc.exited).code).toBe(0);
    expect(svc.logs.filter((line) => line.msg === "shutdown started")).toHaveLength(1);
    expect(svc.logs.filter((line) => line.msg === "shutdown complete")).toHaveLength(1);
    expect(
      svc.logs.some((line) => line.msg === "shutdown already in progress; signal ignored"),
    ).toBe(true);
  });

  it("when an in-process service shuts down then idle keep-alive sockets close within a second", async () => {
    const svc = await startService();
    const socket = net.connect(svc.ports.http, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("GET /v1/items HTTP/1.1\r\nHost: x\r\n\r\n");
    await new Promise((resolve) => socket.once("data", resolve));
    const closed = new Promise<number>((resolve) =>
      socket.once("close", () => resolve(Date.now())),
    );
    const start = Date.now();
    const report = await svc.service.shutdown("test");
    expect((await closed) - start).toBeLessThanOrEqual(1_000);
    expect(report.forced).toBe(0);
  });
});

describe("configuration at boot", () => {
  it("when several keys are invalid then the process exits 1 within a second naming every one", async () => {
    const started = Date.now();
    const svc = spawnService({ HTTP_PORT: "abc", LOG_LEVEL: "loud", RATE_LIMIT_BURST: "-1" });
    const error = await svc.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error?.message).toContain("exited with 1");
    for (const key of ["HTTP_PORT", "LOG_LEVEL", "RATE_LIMIT_BURST"])
      expect(error?.message).toContain(key);
  });
  // lumi:begin !embedded
  //
  // it("when DATABASE_URL is empty then the process exits 1 naming it", async () => {
  //   const error = await spawnService({ DATABASE_URL: "" }).then(
  //     () => undefined,
  //     (e: Error) => e,
  //   );
  //   expect(error?.message).toContain("exited with 1");
  //   expect(error?.message).toContain("DATABASE_URL");
  // });
  // lumi:end !embedded

  it("when the profiling token is set then the boot log never shows it", async () => {
    const svc = await spawn({ PROFILING_TOKEN: "s3cret-token-value" });
    svc.child.kill("SIGTERM");
    await svc.exited;
    const text = JSON.stringify(svc.logs);
    expect(text).not.toContain("s3cret-token-value");
    const loaded = svc.logs.find((line) => line.msg === "configuration loaded");
    const config = loaded?.config as Record<string, string> | undefined;
    expect(config?.PROFILING_TOKEN).toBe("[REDACTED]");
  });
});
