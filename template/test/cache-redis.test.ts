import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Cache,
  type CacheOptions,
  createCache,
  jsonSerializer,
  type RedisConnection,
} from "../src/platform/cache/index.ts";
import { countingCacheMetrics, countingLoader } from "./cache-support.ts";
import {
  connectRedis,
  deleteKeys,
  type OwnRedisServer,
  redisAnswers,
  redisServerInstalled,
  redisTestsRun,
  sharedRedisUrl,
  silentLogger,
  startOwnRedisServer,
  testPrefix,
} from "./redis-support.ts";

const sharedTests = [
  "L2 hit on another instance",
  "L2 TTL jitter",
  "1,000 cold reads → 1 loader call and 1 L2 read",
  "negative entry shared through L2",
  "invalidation evicts the other instance's L1 within 100 ms",
  "own invalidation messages ignored",
  "version bump ignores old entries",
];
const outageTests = [
  "Redis killed and restarted under a read loop",
  "Redis hung: reads answered within the command timeout",
  "L1 emptied when the subscriber reconnects",
];
const sharedUp = redisTestsRun(
  await redisAnswers(sharedRedisUrl),
  `no Redis at ${sharedRedisUrl}`,
  sharedTests.map((name) => `cache: ${name}`),
);
const ownServer = redisTestsRun(
  redisServerInstalled,
  "redis-server not installed",
  outageTests.map((name) => `cache: ${name}`),
);

const connections: RedisConnection[] = [];
const caches: Cache<unknown>[] = [];
const prefixes = new Set<string>();
afterEach(async () => {
  for (const cache of caches.splice(0)) await cache.close();
  for (const redis of connections.splice(0)) await redis.close();
});
afterAll(async () => {
  if (sharedUp) for (const prefix of prefixes) await deleteKeys(sharedRedisUrl, prefix);
});

interface Widget {
  readonly id: string;
  readonly size: number;
}

/** One "service instance": its own connection and cache, sharing a key prefix with the others. */
async function instance(
  prefix: string,
  options: Partial<CacheOptions<Widget>> & {
    url?: string;
    version?: number;
    maxReconnectDelayMs?: number;
  } = {},
) {
  const { url = sharedRedisUrl, version = 1, maxReconnectDelayMs, ...cacheOptions } = options;
  prefixes.add(prefix);
  const redis = await connectRedis(url, {
    keyPrefix: prefix,
    ...(maxReconnectDelayMs === undefined ? {} : { maxReconnectDelayMs }),
  });
  connections.push(redis);
  const { metrics, counts } = countingCacheMetrics();
  const cache = createCache<Widget>({
    name: "widgets",
    serializer: jsonSerializer<Widget>({ version }),
    redis,
    metrics,
    logger: silentLogger,
    ttlJitter: 0,
    ...cacheOptions,
  });
  caches.push(cache as Cache<unknown>);
  if (url === sharedRedisUrl) {
    // A subscriber that becomes ready empties L1 and drops the loads in flight (invalidations
    // may have been missed): tests start once this instance listens, as a running service does.
    const listening = (perPrefix.get(prefix) ?? 0) + 1;
    perPrefix.set(prefix, listening);
    await subscribed(redis, listening);
  }
  return { redis, cache, counts };
}

/** How many instances listen on each prefix's invalidation channel. */
const perPrefix = new Map<string, number>();

const widget = (n: number): Widget => ({ id: "w", size: n });

/** Polls until `check` holds or `timeoutMs` passes; returns the time it took. */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(2);
  }
  return performance.now() - started;
}

/** Waits until the subscriber connections of `count` instances listen on the cache's channel. */
async function subscribed(redis: RedisConnection, count: number) {
  const channel = `${redis.keyPrefix}:widgets:invalidations`;
  await eventually(async () => {
    const reply = (await redis.client.pubsub("NUMSUB", channel)) as [string, number];
    return Number(reply[1]) >= count;
  }, 2_000);
}

describe.runIf(sharedUp)("createCache with Redis (L2)", () => {
  it("when one instance loaded a key then another reads it from L2 without a loader call", async () => {
    const prefix = testPrefix();
    const a = await instance(prefix);
    const b = await instance(prefix);
    const loaderA = countingLoader(1, widget);
    const loaderB = countingLoader(1, widget);
    expect(await a.cache.get("w", loaderA.loader)).toEqual(widget(1));
    await eventually(
      async () => (await a.redis.client.exists(`${prefix}:widgets:v1:w`)) === 1,
      5_000,
    );

    expect(await b.cache.get("w", loaderB.loader)).toEqual(widget(1));
    expect(await b.cache.get("w", loaderB.loader)).toEqual(widget(1));
    expect(loaderB.stats.calls).toBe(0);
    expect(Object.fromEntries(a.counts)).toEqual({
      "miss:l1": 1,
      "miss:l2": 1,
      "load:success": 1,
    });
    expect(Object.fromEntries(b.counts)).toEqual({ "miss:l1": 1, "hit:l2": 1, "hit:l1": 1 });
  });

  it("when TTL jitter is set then each L2 entry lives its TTL less a random share of it", async () => {
    const prefix = testPrefix();
    const a = await instance(prefix, { l2TtlMs: 10_000, ttlJitter: 0.2, random: () => 0.5 });
    await a.cache.get("w", async () => widget(1));
    const key = `${prefix}:widgets:v1:w`;
    await eventually(async () => (await a.redis.client.exists(key)) === 1, 5_000);
    const ttl = await a.redis.client.pttl(key);
    expect(ttl).toBeLessThanOrEqual(9_000);
    expect(ttl).toBeGreaterThan(8_800);
  });

  it("when 1,000 reads of a cold key arrive at once then L2 is read once and the loader runs once", async () => {
    const a = await instance(testPrefix());
    const { loader, stats } = countingLoader(20, widget);
    const values = await Promise.all(Array.from({ length: 1_000 }, () => a.cache.get("w", loader)));
    expect(stats.calls).toBe(1);
    expect(values.every((value) => value?.size === 1)).toBe(true);
    expect(a.counts.get("miss:l2")).toBe(1);
    expect(a.counts.get("error:l2")).toBeUndefined();
  });

  it("when the loader answers not found then other instances see it in L2 until the negative TTL ends", async () => {
    const prefix = testPrefix();
    const a = await instance(prefix, { negativeTtlMs: 300 });
    const b = await instance(prefix, { negativeTtlMs: 300 });
    const missing = countingLoader<Widget>(1, () => undefined);
    expect(await a.cache.get("gone", missing.loader)).toBeUndefined();
    const key = `${prefix}:widgets:v1:gone`;
    await eventually(async () => (await a.redis.client.exists(key)) === 1, 5_000);
    const ttl = await a.redis.client.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);

    expect(await b.cache.get("gone", missing.loader)).toBeUndefined();
    expect(missing.stats.calls).toBe(1);
    expect(b.counts.get("hit:l2")).toBe(1);
    await sleep(350);
    expect(await b.cache.get("gone", missing.loader)).toBeUndefined();
    expect(missing.stats.calls).toBe(2);
  });

  it("when one instance invalidates a key then the other's L1 copy is evicted within 100 ms", async () => {
    const prefix = testPrefix();
    const a = await instance(prefix);
    const b = await instance(prefix);
    await subscribed(a.redis, 2);
    const source = countingLoader(1, widget);
    await a.cache.get("w", source.loader);
    await b.cache.get("w", source.loader);
    expect(b.cache.stats().entries).toBe(1);

    await a.cache.invalidate("w");
    const tookMs = await eventually(() => b.cache.stats().entries === 0, 1_000);
    expect(tookMs).toBeLessThan(100);
    expect(await a.redis.client.exists(`${prefix}:widgets:v1:w`)).toBe(0);
    expect(await b.cache.get("w", source.loader)).toEqual(widget(2));
  });

  it("when an instance receives its own invalidation message then it keeps the value it reloaded", async () => {
    const a = await instance(testPrefix());
    await subscribed(a.redis, 1);
    const source = countingLoader(1, widget);
    await a.cache.get("w", source.loader);
    await a.cache.invalidate("w");
    expect(await a.cache.get("w", source.loader)).toEqual(widget(2));
    await sleep(50); // the echo of the message has arrived by now
    expect(await a.cache.get("w", source.loader)).toEqual(widget(2));
    expect(source.stats.calls).toBe(2);
  });

  it("when the serializer version is bumped then entries of the old version are not read", async () => {
    const prefix = testPrefix();
    const old = await instance(prefix, { version: 1 });
    const next = await instance(prefix, { version: 2 });
    await old.cache.get("w", async () => widget(1));
    await eventually(
      async () => (await old.redis.client.exists(`${prefix}:widgets:v1:w`)) === 1,
      5_000,
    );
    const source = countingLoader(1, (n) => widget(100 + n));
    expect(await next.cache.get("w", source.loader)).toEqual(widget(101));
    expect(source.stats.calls).toBe(1);
    expect(next.counts.get("miss:l2")).toBe(1);

    // An invalidation by the new version removes the old version's entry too.
    await next.cache.invalidate("w");
    expect(await old.redis.client.exists(`${prefix}:widgets:v1:w`, `${prefix}:widgets:v2:w`)).toBe(
      0,
    );
  });
});

describe.runIf(ownServer)("createCache when Redis fails", () => {
  let server: OwnRedisServer;
  beforeAll(async () => {
    server = await startOwnRedisServer();
  });
  afterAll(async () => server?.kill());

  it("when Redis is killed under a read loop then reads keep succeeding from L1 and the loader, and L2 is used again within seconds of its return", async () => {
    // Production connection and breaker settings; short L1 TTLs keep L2 busy.
    const { redis, cache, counts } = await instance(testPrefix(), {
      url: server.url,
      ttlMs: 20,
      staleWhileRevalidateMs: 0,
    });
    expect(redis.dependency.check).toBeUndefined(); // never part of readiness
    const source = countingLoader(1, widget);
    let reads = 0;
    let errors = 0;
    let running = true;
    const loop = Promise.all(
      Array.from({ length: 20 }, async (_, worker) => {
        while (running) {
          try {
            const value = await cache.get(`k${worker % 10}`, source.loader);
            if (value === undefined) errors += 1;
            reads += 1;
          } catch {
            errors += 1;
          }
          await sleep(1);
        }
      }),
    );
    await eventually(() => (counts.get("hit:l2") ?? 0) > 20, 3_000);

    await server.kill();
    const loadsAtKill = source.stats.calls;
    await eventually(() => redis.dependency.state() === "open", 3_000);
    await sleep(300);
    expect(redis.health().state).toBe("down");
    expect(source.stats.calls).toBeGreaterThan(loadsAtKill);
    const readsWhileDown = reads;

    await server.restart();
    const restarted = performance.now();
    const l2HitsAtRestart = counts.get("hit:l2") ?? 0;
    await eventually(() => (counts.get("hit:l2") ?? 0) > l2HitsAtRestart, 8_000);
    const backAfterMs = performance.now() - restarted;
    running = false;
    await loop;

    expect(errors).toBe(0);
    expect(reads).toBeGreaterThan(readsWhileDown);
    expect(redis.health().state).toBe("ready");
    // Reconnection backs off to 2 s and the breaker waits 2 s before its trial.
    expect(backAfterMs).toBeLessThan(5_000);
  }, 20_000);

  it("when Redis hangs then every read is answered by the loader within the command timeout, and L2 is used again once it answers", async () => {
    const prefix = testPrefix();
    const options = { url: server.url, maxReconnectDelayMs: 100 };
    const { redis, cache } = await instance(prefix, options);
    const other = await instance(prefix, options);
    const source = countingLoader(1, widget);
    server.pause();
    try {
      for (let round = 0; round < 3; round += 1) {
        const started = performance.now();
        const values = await Promise.all(
          Array.from({ length: 10 }, (_, i) => cache.get(`cold-${round}-${i}`, source.loader)),
        );
        // The 150 ms command timeout, then the loader; later rounds meet the open breaker.
        expect(performance.now() - started).toBeLessThan(400);
        expect(values.every((value) => value !== undefined)).toBe(true);
      }
      expect(redis.dependency.state()).toBe("open");
    } finally {
      server.resume();
    }
    // Written by one instance, read by the other: L2 works again.
    let round = 0;
    await eventually(async () => {
      round += 1;
      await cache.get(`after-${round}`, source.loader);
      await sleep(20);
      await other.cache.get(`after-${round}`, source.loader);
      return (other.counts.get("hit:l2") ?? 0) > 0;
    }, 8_000);
  }, 15_000);

  it("when the subscriber connection is lost and comes back then L1 is emptied, since invalidations may have been missed", async () => {
    const { redis, cache } = await instance(testPrefix(), {
      url: server.url,
      ttlMs: 60_000,
      maxReconnectDelayMs: 100,
    });
    await subscribed(redis, 1);
    const source = countingLoader(1, widget);
    for (const key of ["a", "b", "c"]) await cache.get(key, source.loader);
    expect(cache.stats().entries).toBe(3);
    await server.kill();
    await server.restart();
    await eventually(() => cache.stats().entries === 0, 3_000);
  }, 10_000);
});
