import type { Logger } from "pino";
import { describe, expect, it, vi } from "vitest";
import { createRateLimiter, type RateLimiterOptions } from "./rate-limiter.ts";
import type { RateLimitStore } from "./token-bucket.ts";

// Reported when limiting is off or the store fails: a full bucket (burst 2).
const allowAll = { allowed: true, remaining: 2, retryAfterSeconds: 0, resetSeconds: 0 };

function fakeLogger() {
  const warn = vi.fn();
  return { warn, logger: { warn } as unknown as Logger };
}

function limiter(overrides: Partial<RateLimiterOptions> = {}) {
  let nowMs = 0;
  const { warn, logger } = fakeLogger();
  const rateLimiter = createRateLimiter({
    enabled: true,
    perSecond: 1,
    burst: 2,
    logger,
    now: () => nowMs,
    ...overrides,
  });
  return {
    rateLimiter,
    warn,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

describe("createRateLimiter", () => {
  it("when enabled then a client gets its burst and is then refused", async () => {
    const { rateLimiter } = limiter();
    expect(await rateLimiter.take("1.2.3.4")).toEqual({
      allowed: true,
      remaining: 1,
      retryAfterSeconds: 0,
      resetSeconds: 1,
    });
    expect((await rateLimiter.take("1.2.3.4")).allowed).toBe(true);
    expect(await rateLimiter.take("1.2.3.4")).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterSeconds: 1,
      resetSeconds: 2,
    });
  });

  it("when the injected clock advances then tokens come back", async () => {
    const { rateLimiter, advance } = limiter();
    await rateLimiter.take("k");
    await rateLimiter.take("k");
    expect((await rateLimiter.take("k")).allowed).toBe(false);
    advance(1_000);
    expect(await rateLimiter.take("k")).toEqual({
      allowed: true,
      remaining: 0,
      retryAfterSeconds: 0,
      resetSeconds: 2,
    });
  });

  it("when a store is given then it receives the key and the injected time", async () => {
    const take = vi.fn(() => ({
      allowed: true,
      remaining: 7,
      retryAfterSeconds: 0,
      resetSeconds: 1,
    }));
    const store: RateLimitStore = { take, close: vi.fn(async () => {}) };
    const { rateLimiter, advance } = limiter({ store });
    advance(1_234);
    expect((await rateLimiter.take("client")).remaining).toBe(7);
    expect(take).toHaveBeenCalledWith("client", 1_234);
  });

  it("when the store throws then the request is allowed and a warning is logged", async () => {
    const failure = new Error("store unreachable");
    const store: RateLimitStore = {
      take: () => {
        throw failure;
      },
      close: async () => {},
    };
    const { rateLimiter, warn } = limiter({ store });
    expect(await rateLimiter.take("k")).toEqual(allowAll);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith({ err: failure }, "rate-limit store failed; request allowed");
  });

  it("when the store rejects then the request is allowed and a warning is logged", async () => {
    const failure = new Error("timeout");
    const store: RateLimitStore = { take: () => Promise.reject(failure), close: async () => {} };
    const { rateLimiter, warn } = limiter({ store });
    expect(await rateLimiter.take("k")).toEqual(allowAll);
    expect(warn).toHaveBeenCalledWith({ err: failure }, "rate-limit store failed; request allowed");
  });

  it("when disabled then every request is allowed and the store is not used", async () => {
    const take = vi.fn(() => allowAll);
    const { rateLimiter } = limiter({ enabled: false, store: { take, close: async () => {} } });
    for (let i = 0; i < 10; i += 1) expect(await rateLimiter.take("k")).toEqual(allowAll);
    expect(take).not.toHaveBeenCalled();
    expect(rateLimiter.enabled).toBe(false);
  });

  it("when built then the policy and its header describe the bucket", () => {
    const { rateLimiter } = limiter({ perSecond: 100, burst: 200 });
    expect(rateLimiter.policy).toEqual({ perSecond: 100, burst: 200 });
    expect(rateLimiter.policyHeader).toBe('"default";q=200;w=2');
  });

  it("when the burst refills in under a second then the window is 1 second", () => {
    expect(limiter({ perSecond: 100, burst: 5 }).rateLimiter.policyHeader).toBe(
      '"default";q=5;w=1',
    );
  });

  it("when the refill is partial then the window rounds up", () => {
    expect(limiter({ perSecond: 3, burst: 10 }).rateLimiter.policyHeader).toBe(
      '"default";q=10;w=4',
    );
  });

  it("when a decision is rendered then the RateLimit header carries remaining and reset", () => {
    const { rateLimiter } = limiter();
    expect(
      rateLimiter.header({ allowed: true, remaining: 17, retryAfterSeconds: 0, resetSeconds: 4 }),
    ).toBe('"default";r=17;t=4');
  });

  it("when closed then the store is closed", async () => {
    const close = vi.fn(async () => {});
    const { rateLimiter } = limiter({ store: { take: () => allowAll, close } });
    await rateLimiter.close();
    expect(close).toHaveBeenCalledTimes(1);
  });
});
