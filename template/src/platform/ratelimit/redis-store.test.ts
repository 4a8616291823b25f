import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import {
  connectRedis,
  deleteKeys,
  type OwnRedisServer,
  redisAnswers,
  redisServerInstalled,
  redisTestsRun,
  sharedRedisUrl,
  startOwnRedisServer,
  testPrefix,
} from "../../../test/redis-support.ts";
import type { RedisConnection } from "../cache/index.ts";
import {
  createRedisRateLimitStore,
  defaultMaxLease,
  type RedisStoreOptions,
} from "./redis-store.ts";
import {
  createMemoryRateLimitStore,
  type RateDecision,
  type RateLimitStore,
} from "./token-bucket.ts";

const sharedUp = redisTestsRun(
  await redisAnswers(sharedRedisUrl),
  `no Redis at ${sharedRedisUrl}`,
  [
    "rate limit: two instances share N per window",
    "rate limit: instance clocks ignored",
    "rate limit: script reloaded after NOSCRIPT",
    "rate limit: tokens leased in batches",
  ],
);
const ownServer = redisTestsRun(redisServerInstalled, "redis-server not installed", [
  "rate limit: Redis down → in-memory fallback, Redis back → shared again",
]);

const connections: RedisConnection[] = [];
const stores: RateLimitStore[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const redis of connections.splice(0)) await redis.close();
});
afterAll(async () => {
  if (sharedUp) for (const prefix of prefixes) await deleteKeys(sharedRedisUrl, prefix);
});

/** One "service instance": its own connection and store, sharing the key prefix. */
async function instance(
  prefix: string,
  policy: { perSecond: number; burst: number },
  url = sharedRedisUrl,
  breaker = {},
  lease: Pick<RedisStoreOptions, "maxLease" | "leaseTtlMs"> = {},
) {
  prefixes.push(prefix);
  const redis = await connectRedis(url, { keyPrefix: prefix, breaker, maxReconnectDelayMs: 100 });
  connections.push(redis);
  // Counts the Redis calls the store makes.
  const calls = vi.spyOn(redis, "run");
  const store = createRedisRateLimitStore({
    redis,
    ...policy,
    ...lease,
    fallback: createMemoryRateLimitStore(policy),
  });
  stores.push(store);
  return { redis, store, calls };
}

/** Takes `count` tokens for `key`, alternating between the stores, all at once. */
async function takeFromAll(
  stores: readonly RateLimitStore[],
  key: string,
  count: number,
  nowMs: (i: number) => number = () => Date.now(),
): Promise<RateDecision[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      (stores[i % stores.length] as RateLimitStore).take(key, nowMs(i)),
    ),
  );
}

// 0.01 token per second: nothing refills during a test.
const policy = { perSecond: 0.01, burst: 10 };

describe.runIf(sharedUp)("createRedisRateLimitStore", () => {
  it("when two instances share Redis then exactly N requests are allowed in total and the rest carry retryAfter", async () => {
    const prefix = testPrefix();
    const a = await instance(prefix, policy);
    const b = await instance(prefix, policy);
    const decisions = await takeFromAll([a.store, b.store], "client-1", 40);
    const allowed = decisions.filter((d) => d.allowed);
    expect(allowed).toHaveLength(10);
    const refused = decisions.filter((d) => !d.allowed);
    expect(refused).toHaveLength(30);
    for (const decision of refused) {
      expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(decision.remaining).toBe(0);
    }
    const bucket = await a.redis.client.hgetall(`${prefix}:ratelimit:client-1`);
    expect(Number(bucket.tokens)).toBeLessThan(1);
    const ttl = await a.redis.client.pttl(`${prefix}:ratelimit:client-1`);
    // The bucket lives until it would be full again: 10 tokens at 0.01/s.
    expect(ttl).toBeGreaterThan(900_000);
    expect(ttl).toBeLessThanOrEqual(1_001_000);
  });

  it("when the instances' clocks disagree then Redis's clock decides and the limit still holds", async () => {
    const prefix = testPrefix();
    const a = await instance(prefix, policy);
    const b = await instance(prefix, policy);
    // One instance claims an hour later than the other: it must gain nothing by it.
    const decisions = await takeFromAll([a.store, b.store], "client-1", 30, (i) =>
      i % 2 === 0 ? Date.now() : Date.now() + 3_600_000,
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
  });

  it("when Redis lost the script then it is loaded again and the request decided", async () => {
    const prefix = testPrefix();
    const a = await instance(prefix, policy);
    expect((await a.store.take("client-1", Date.now())).allowed).toBe(true);
    await a.redis.client.script("FLUSH");
    expect(await a.store.take("client-1", Date.now())).toMatchObject({
      allowed: true,
      remaining: 8,
    });
    expect(a.redis.dependency.state()).toBe("closed");
  });
});

describe.runIf(sharedUp)("createRedisRateLimitStore leases", () => {
  // 50 tokens, nothing refilled during a test, leases of up to 10.
  const wide = { perSecond: 0.01, burst: 50 };
  const leases = { maxLease: 10 };

  it("when a client is busy on two instances then they lease tokens in batches and exactly N are allowed in total", async () => {
    const prefix = testPrefix();
    const a = await instance(prefix, wide, sharedRedisUrl, {}, leases);
    const b = await instance(prefix, wide, sharedRedisUrl, {}, leases);
    const decisions = await takeFromAll([a.store, b.store], "client-1", 200);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
    // 5 leases of 10 tokens, then one refusal each, instead of 200 calls.
    expect(a.calls.mock.calls.length + b.calls.mock.calls.length).toBeLessThanOrEqual(8);
    const bucket = await a.redis.client.hgetall(`${prefix}:ratelimit:client-1`);
    expect(Number(bucket.tokens)).toBeLessThan(1);
  });

  it("when the shared bucket is empty then the client is refused without asking Redis until its next token is due", async () => {
    const prefix = testPrefix();
    const a = await instance(prefix, wide, sharedRedisUrl, {}, leases);
    const start = Date.now();
    await takeFromAll([a.store], "client-1", 60, () => start);
    const asked = a.calls.mock.calls.length;
    const later = await takeFromAll([a.store], "client-1", 20, () => start + 1_000);
    expect(later.every((d) => !d.allowed && d.retryAfterSeconds >= 99)).toBe(true);
    expect(a.calls.mock.calls.length).toBe(asked);
    // One token is due 100 s later (0.01/s): Redis is asked again.
    await a.store.take("client-1", start + 100_001);
    expect(a.calls.mock.calls.length).toBe(asked + 1);
  });

  it("when leased tokens are not spent in time then they are dropped, never spent later", async () => {
    const prefix = testPrefix();
    const a = await instance(prefix, wide, sharedRedisUrl, {}, { maxLease: 10, leaseTtlMs: 1_000 });
    // Two takes 1 ms apart: the second lease is sized on that rate (the whole 10).
    expect((await a.store.take("client-1", 0)).allowed).toBe(true);
    expect((await a.store.take("client-1", 1)).allowed).toBe(true);
    const taken = async () =>
      50 - Number((await a.redis.client.hgetall(`${prefix}:ratelimit:client-1`)).tokens);
    expect(Math.round(await taken())).toBe(11);
    const asked = a.calls.mock.calls.length;
    // Within the lease: spent locally.
    expect((await a.store.take("client-1", 500)).allowed).toBe(true);
    expect(a.calls.mock.calls.length).toBe(asked);
    // Past it: the 8 left are dropped and a new lease is taken.
    expect((await a.store.take("client-1", 1_002)).allowed).toBe(true);
    expect(a.calls.mock.calls.length).toBe(asked + 1);
    expect(Math.round(await taken())).toBeGreaterThan(11);
  });

  it("when the burst is small then every token is its own lease (the exact bucket)", () => {
    expect(defaultMaxLease(10)).toBe(1);
    expect(defaultMaxLease(19)).toBe(1);
    expect(defaultMaxLease(200)).toBe(20);
    expect(defaultMaxLease(5_000)).toBe(500);
    expect(defaultMaxLease(1_000_000)).toBe(1_000);
  });
});

describe.runIf(ownServer)("createRedisRateLimitStore when Redis fails", () => {
  let server: OwnRedisServer | undefined;
  afterAll(async () => server?.kill());

  it("when Redis goes down then each instance falls back to its memory without throwing, and shares Redis again once it is back", async () => {
    server = await startOwnRedisServer();
    const prefix = testPrefix();
    const breaker = { minimumCalls: 5, openMs: 300 };
    const a = await instance(prefix, policy, server.url, breaker);
    const b = await instance(prefix, policy, server.url, breaker);
    expect((await takeFromAll([a.store, b.store], "warm-up", 2)).every((d) => d.allowed)).toBe(
      true,
    );

    await server.kill();
    // Each instance now keeps its own buckets: N each. Taken a pair at a
    // time: concurrent takes of a client share one Redis call, and the
    // breaker opens on the count of failed calls.
    const down: RateDecision[] = [];
    for (let i = 0; i < 20; i += 1)
      down.push(...(await takeFromAll([a.store, b.store], "client-1", 2)));
    expect(down.filter((d) => d.allowed)).toHaveLength(20);
    await sleep(50);
    expect(a.redis.dependency.state()).toBe("open");

    await server.restart();
    const shared = async (redis: RedisConnection, store: RateLimitStore) => {
      const deadline = Date.now() + 5_000;
      while ((await redis.client.exists(`${prefix}:ratelimit:probe`).catch(() => 0)) === 0) {
        if (Date.now() > deadline) throw new Error("Redis not used again within 5 s");
        await store.take("probe", Date.now());
        await sleep(25);
      }
      await redis.client.del(`${prefix}:ratelimit:probe`);
    };
    await shared(a.redis, a.store);
    await shared(b.redis, b.store);

    const back = await takeFromAll([a.store, b.store], "client-2", 40);
    expect(back.filter((d) => d.allowed)).toHaveLength(10);
  }, 15_000);
});
