import { describe, expect, it, vi } from "vitest";
import { createReadiness } from "./readiness.ts";

describe("createReadiness", () => {
  it("when not yet started then it reports starting and not ready", async () => {
    const readiness = createReadiness();
    readiness.addCheck("db", () => ({ ok: true }));
    expect(await readiness.report()).toEqual({ ready: false, status: "starting", checks: {} });
    expect(readiness.draining).toBe(false);
  });

  it("when started with passing checks then it is ready and each check is ok", async () => {
    const readiness = createReadiness();
    readiness.addCheck("db", () => ({ ok: true }));
    readiness.addCheck("cache", async () => ({ ok: true }));
    readiness.markStarted();
    expect(await readiness.report()).toEqual({
      ready: true,
      status: "ready",
      checks: { db: "ok", cache: "ok" },
    });
  });

  it("when started with no checks then it is ready", async () => {
    const readiness = createReadiness();
    readiness.markStarted();
    expect(await readiness.report()).toEqual({ ready: true, status: "ready", checks: {} });
  });

  it("when a check fails then it is not ready and names the check and its reason", async () => {
    const readiness = createReadiness();
    readiness.addCheck("db", () => ({ ok: true }));
    readiness.addCheck("queue", async () => ({ ok: false, reason: "queue full" }));
    readiness.markStarted();
    expect(await readiness.report()).toEqual({
      ready: false,
      status: "not_ready",
      checks: { db: "ok", queue: "failing: queue full" },
    });
  });

  it("when a check fails without a reason then the reason is unknown", async () => {
    const readiness = createReadiness();
    readiness.addCheck("db", () => ({ ok: false }));
    readiness.markStarted();
    expect((await readiness.report()).checks).toEqual({ db: "failing: unknown" });
  });

  it("when a check throws then it is failing with the error message", async () => {
    const readiness = createReadiness();
    readiness.addCheck("sync", () => {
      throw new Error("connection refused");
    });
    readiness.addCheck("async", async () => {
      throw "broken";
    });
    readiness.markStarted();
    expect(await readiness.report()).toEqual({
      ready: false,
      status: "not_ready",
      checks: { sync: "failing: connection refused", async: "failing: broken" },
    });
  });

  it("when a check hangs beyond the timeout then it is failing as timed out", async () => {
    const readiness = createReadiness({ checkTimeoutMs: 20 });
    readiness.addCheck("slow", () => new Promise(() => {}));
    readiness.addCheck("fast", () => ({ ok: true }));
    readiness.markStarted();
    const started = performance.now();
    expect(await readiness.report()).toEqual({
      ready: false,
      status: "not_ready",
      checks: { slow: "failing: timed out after 20 ms", fast: "ok" },
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("when a check is added twice under one name then the later one replaces it", async () => {
    const readiness = createReadiness();
    readiness.addCheck("db", () => ({ ok: false, reason: "old" }));
    readiness.addCheck("db", () => ({ ok: true }));
    readiness.markStarted();
    expect(await readiness.report()).toEqual({
      ready: true,
      status: "ready",
      checks: { db: "ok" },
    });
  });

  it("when draining then it reports draining and stays so after markStarted", async () => {
    const readiness = createReadiness();
    readiness.markStarted();
    readiness.markDraining();
    expect(readiness.draining).toBe(true);
    expect(await readiness.report()).toEqual({ ready: false, status: "draining", checks: {} });
    readiness.markStarted();
    expect(await readiness.report()).toEqual({ ready: false, status: "draining", checks: {} });
  });

  it("when draining before start then it reports draining", async () => {
    const readiness = createReadiness();
    readiness.markDraining();
    expect((await readiness.report()).status).toBe("draining");
  });

  it("when the state changes then listeners hear true on start and false on drain", () => {
    const readiness = createReadiness();
    const listener = vi.fn();
    readiness.onChange(listener);
    readiness.markStarted();
    readiness.markDraining();
    readiness.markDraining();
    readiness.markStarted();
    expect(listener.mock.calls).toEqual([[true], [false]]);
  });

  it("when a listener unsubscribes then it is no longer called", () => {
    const readiness = createReadiness();
    const kept = vi.fn();
    const dropped = vi.fn();
    readiness.onChange(kept);
    const unsubscribe = readiness.onChange(dropped);
    unsubscribe();
    readiness.markStarted();
    expect(kept).toHaveBeenCalledWith(true);
    expect(dropped).not.toHaveBeenCalled();
  });
});
