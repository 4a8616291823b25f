import { describe, expect, it } from "vitest";
import { createMemoryRateLimitStore, type RateDecision } from "./token-bucket.ts";

/** Takes `count` tokens for `key` at `nowMs` and returns every decision. */
async function takeMany(
  store: ReturnType<typeof createMemoryRateLimitStore>,
  key: string,
  count: number,
  nowMs: number,
): Promise<RateDecision[]> {
  const decisions: RateDecision[] = [];
  for (let i = 0; i < count; i += 1) decisions.push(await store.take(key, nowMs));
  return decisions;
}

describe("createMemoryRateLimitStore", () => {
  it("when a burst of N arrives at once then exactly N are allowed", async () => {
    const store = createMemoryRateLimitStore({ perSecond: 1, burst: 3 });
    const decisions = await takeMany(store, "a", 5, 0);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
  });

  it("when tokens are taken then remaining and resetSeconds count down exactly", async () => {
    const store = createMemoryRateLimitStore({ perSecond: 1, burst: 3 });
    expect(await takeMany(store, "a", 3, 0)).toEqual([
      { allowed: true, remaining: 2, retryAfterSeconds: 0, resetSeconds: 1 },
      { allowed: true, remaining: 1, retryAfterSeconds: 0, resetSeconds: 2 },
      { allowed: true, remaining: 0, retryAfterSeconds: 0, resetSeconds: 3 },
    ]);
  });

  it("when the bucket is empty then the request is refused with retryAfterSeconds >= 1", async () => {
    const store = createMemoryRateLimitStore({ perSecond: 1, burst: 3 });
    await takeMany(store, "a", 3, 0);
    expect(await store.take("a", 0)).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterSeconds: 1,
      resetSeconds: 3,
    });
  });

  it("when the refill rate is fast then retryAfterSeconds is still at least 1", async () => {
    const store = createMemoryRateLimitStore({ perSecond: 100, burst: 2 });
    await takeMany(store, "a", 2, 0);
    const refused = await store.take("a", 0);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBe(1);
  });

  it("when the refill rate is slow then retryAfterSeconds covers the missing token", async () => {
    const store = createMemoryRateLimitStore({ perSecond: 0.25, burst: 1 });
    await store.take("a", 0);
    expect(await store.take("a", 1_000)).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterSeconds: 3,
      resetSeconds: 3,
    });
  });

  it("when time passes then tokens come back in proportion", async () => {
    const store = createMemoryRateLimitStore({ perSecond: 10, burst: 5 });
    await takeMany(store, "a", 5, 0);
    // 250 ms at 10/s gives 2.5 tokens: one is taken, 1.5 are left.
    expect(await store.take("a", 250)).toEqual({
      allowed: true,
      remaining: 1,
      retryAfterSeconds: 0,
      resetSeconds: 1,
    });
    // 50 ms more gives 0.5: 2 tokens, one taken, 1 left.
    expect((await store.take("a", 300)).remaining).toBe(1);
    expect((await store.take("a", 300)).remaining).toBe(0);
    expect((await store.take("a", 300)).allowed).toBe(false);
  });

  it("when a long time passes then the bucket refills only up to the burst", async () => {
    const store = createMemoryRateLimitStore({ perSecond: 10, burst: 5 });
    await takeMany(store, "a", 5, 0);
    const decisions = await takeMany(store, "a", 6, 3_600_000);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
  });

  it("when the clock goes backwards then no tokens are created nor owed", async () => {
    const store = createMemoryRateLimitStore({ perSecond: 1, burst: 2 });
    await takeMany(store, "a", 2, 10_000);
    expect((await store.take("a", 0)).allowed).toBe(false);
    expect(await store.take("a", 1_000)).toEqual({
      allowed: true,
      remaining: 0,
      retryAfterSeconds: 0,
      resetSeconds: 2,
    });
  });

  it("when different keys are used then their buckets are independent", async () => {
    const store = createMemoryRateLimitStore({ perSecond: 1, burst: 2 });
    await takeMany(store, "a", 3, 0);
    expect(await store.take("b", 0)).toEqual({
      allowed: true,
      remaining: 1,
      retryAfterSeconds: 0,
      resetSeconds: 1,
    });
    expect((await store.take("a", 0)).allowed).toBe(false);
  });

  it("when maxKeys is exceeded then the least recently used key is evicted and restarts full", async () => {
    const store = createMemoryRateLimitStore({ perSecond: 1, burst: 2, maxKeys: 2 });
    await store.take("a", 0);
    await store.take("b", 0);
    await store.take("a", 0); // a is now empty and the most recently used
    await store.take("c", 0); // evicts b, the least recently used
    expect((await store.take("a", 0)).allowed).toBe(false); // a was kept
    expect(await store.take("b", 0)).toEqual({
      allowed: true,
      remaining: 1,
      retryAfterSeconds: 0,
      resetSeconds: 1,
    });
  });

  it("when closed then every bucket is forgotten", async () => {
    const store = createMemoryRateLimitStore({ perSecond: 1, burst: 1 });
    await store.take("a", 0);
    await store.close();
    expect((await store.take("a", 0)).allowed).toBe(true);
  });
});
