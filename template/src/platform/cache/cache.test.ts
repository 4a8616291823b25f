import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { countingCacheMetrics, countingLoader } from "../../../test/cache-support.ts";
import { type CacheOptions, createCache } from "./cache.ts";
import { jsonSerializer } from "./serializer.ts";

const logger = pino({ level: "silent" });

function l1Cache(options: Partial<CacheOptions<string>> = {}) {
  const { metrics, counts } = countingCacheMetrics();
  const cache = createCache<string>({
    name: "things",
    serializer: jsonSerializer<string>({ version: 1 }),
    ttlJitter: 0,
    metrics,
    logger,
    ...options,
  });
  return { cache, counts };
}

describe("createCache without Redis (L1 only)", () => {
  it("when a key was loaded then the next read is an L1 hit without a loader call", async () => {
    const { cache, counts } = l1Cache();
    const { loader, stats } = countingLoader();
    expect(await cache.get("a", loader)).toBe("v1");
    expect(await cache.get("a", loader)).toBe("v1");
    expect(stats.calls).toBe(1);
    expect(Object.fromEntries(counts)).toEqual({ "miss:l1": 1, "load:success": 1, "hit:l1": 1 });
  });

  it("when 1,000 reads of a cold key arrive at once then the loader runs exactly once", async () => {
    const { cache } = l1Cache();
    const { loader, stats } = countingLoader(20);
    const values = await Promise.all(
      Array.from({ length: 1_000 }, () => cache.get("cold", loader)),
    );
    expect(stats.calls).toBe(1);
    expect(new Set(values)).toEqual(new Set(["v1"]));
  });

  it("when the loader fails then every waiting caller gets its error and nothing is cached", async () => {
    const { cache, counts } = l1Cache();
    let calls = 0;
    const failing = async () => {
      calls += 1;
      await sleep(5);
      throw new Error("source down");
    };
    const results = await Promise.allSettled([cache.get("a", failing), cache.get("a", failing)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    await expect(cache.get("a", failing)).rejects.toThrow("source down");
    expect(calls).toBe(2);
    expect(counts.get("load:error")).toBe(2);
  });

  it("when an entry is stale within the window then it is served at once and refreshed once", async () => {
    const { cache } = l1Cache({ ttlMs: 40, staleWhileRevalidateMs: 5_000 });
    const { loader, stats } = countingLoader(100);
    await cache.get("a", loader);
    await sleep(60);
    const started = performance.now();
    const values = await Promise.all(Array.from({ length: 500 }, () => cache.get("a", loader)));
    // Nobody waited for the 100 ms refresh.
    expect(performance.now() - started).toBeLessThan(50);
    expect(new Set(values)).toEqual(new Set(["v1"]));
    expect(stats.calls).toBe(2);
    await sleep(120);
    expect(await cache.get("a", loader)).toBe("v2");
    expect(stats.calls).toBe(2);
  });

  it.each([
    ["with stale-while-revalidate", 1_000],
    ["without stale-while-revalidate", 0],
  ])(
    "when entries expire under a steady read load (%s) then at most one refresh per key runs at a time",
    async (_label, staleWhileRevalidateMs) => {
      const { cache } = l1Cache({ ttlMs: 25, staleWhileRevalidateMs });
      const loaders = { a: countingLoader(10), b: countingLoader(10) };
      let reads = 0;
      const until = performance.now() + 400;
      await Promise.all(
        Array.from({ length: 40 }, async (_, worker) => {
          while (performance.now() < until) {
            const key = worker % 2 === 0 ? "a" : "b";
            await cache.get(key, loaders[key].loader);
            reads += 1;
            await sleep(1);
          }
        }),
      );
      for (const { stats } of Object.values(loaders)) {
        expect(stats.maxRunning).toBe(1);
        // One load per expiry: 400 ms / (25 ms fresh + 10 ms load) at most, plus the first.
        expect(stats.calls).toBeLessThanOrEqual(Math.ceil(400 / 35) + 1);
      }
      expect(reads).toBeGreaterThan(1_000);
    },
  );

  it("when the loader answers not found then it is cached for the negative TTL only", async () => {
    const { cache, counts } = l1Cache({ ttlMs: 10_000, negativeTtlMs: 60 });
    const { loader, stats } = countingLoader(1, () => undefined);
    expect(await cache.get("gone", loader)).toBeUndefined();
    expect(await cache.get("gone", loader)).toBeUndefined();
    expect(stats.calls).toBe(1);
    expect(counts.get("hit:l1")).toBe(1);
    await sleep(80);
    expect(await cache.get("gone", loader)).toBeUndefined();
    expect(stats.calls).toBe(2);
  });

  it("when more keys than l1MaxEntries are loaded then the oldest are evicted and counted", async () => {
    const { cache, counts } = l1Cache({ l1MaxEntries: 5 });
    for (let i = 0; i < 12; i += 1) await cache.get(`k${i}`, async () => `value ${i}`);
    expect(cache.stats().entries).toBe(5);
    expect(counts.get("eviction:l1")).toBe(7);
    const { loader, stats } = countingLoader();
    await cache.get("k11", loader);
    await cache.get("k0", loader);
    expect(stats.calls).toBe(1);
  });

  it("when values outweigh l1MaxBytes then entries are evicted to stay within the bytes", async () => {
    const { cache, counts } = l1Cache({ l1MaxEntries: 1_000, l1MaxBytes: 1_000 });
    const big = "x".repeat(200);
    for (let i = 0; i < 20; i += 1) await cache.get(`k${i}`, async () => big);
    const { entries, bytes } = cache.stats();
    expect(bytes).toBeLessThanOrEqual(1_000);
    // Each entry weighs its key and its serialised value: 3 + 1 + 202 bytes.
    expect(entries).toBe(Math.floor(1_000 / 206));
    expect(counts.get("eviction:l1")).toBe(20 - entries);
  });

  it("when a key is invalidated while its load runs then the stale result is not cached", async () => {
    const { cache } = l1Cache();
    const { loader, stats } = countingLoader(30);
    const pending = cache.get("a", loader);
    await sleep(5);
    await cache.invalidate("a");
    expect(await pending).toBe("v1");
    expect(await cache.get("a", loader)).toBe("v2");
    expect(stats.calls).toBe(2);
  });

  it("when the cache is closed then reads go straight to the loader", async () => {
    const { cache } = l1Cache();
    const { loader, stats } = countingLoader();
    await cache.get("a", loader);
    await cache.close();
    await cache.get("a", loader);
    expect(stats.calls).toBe(2);
    expect(cache.stats().entries).toBe(0);
  });

  it("when settings are invalid then it throws naming each of them", () => {
    expect(() => l1Cache({ name: "Bad Name", ttlMs: 0, ttlJitter: 1.5 })).toThrow(
      /^cache Bad Name: name must match .*; ttlMs must be an integer >= 1, got 0; ttlJitter must be from 0 to 1, got 1.5$/,
    );
  });
});
