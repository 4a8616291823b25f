import { afterEach, describe, expect, it } from "vitest";
import { createRedis, type RedisConnection } from "../src/platform/cache/index.ts";
import { AppError } from "../src/platform/errors/index.ts";
import { recordingMetrics } from "./fault-server.ts";
import {
  connectRedis,
  deleteKeys,
  freePort,
  redisAnswers,
  redisTestsRun,
  sharedRedisUrl,
  silentLogger,
  testPrefix,
} from "./redis-support.ts";

const sharedUp = redisTestsRun(
  await redisAnswers(sharedRedisUrl),
  `no Redis at ${sharedRedisUrl}`,
  ["redis: error replies reach the caller without opening the breaker"],
);

const connections: RedisConnection[] = [];
afterEach(async () => {
  for (const redis of connections.splice(0)) await redis.close();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("createRedis", () => {
  it("when Redis is unreachable then nothing throws at boot, commands fail at once, the breaker opens and health says down", async () => {
    const { metrics, recorded } = recordingMetrics();
    const redis = createRedis({
      url: `redis://127.0.0.1:${await freePort()}`,
      keyPrefix: testPrefix(),
      metrics,
      logger: silentLogger,
    });
    connections.push(redis);
    expect(await redis.waitUntilReady(200)).toBe(false);
    expect(redis.health().state).toBe("down");

    for (let i = 0; i < 10; i += 1) {
      const started = performance.now();
      const error = await rejection(redis.run((client) => client.get("k")));
      expect(performance.now() - started).toBeLessThan(50);
      expect((error as AppError).code).toBe("DEPENDENCY_FAILED");
    }
    const refused = await rejection(redis.run((client) => client.get("k")));
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).message).toBe("redis circuit open");
    expect(redis.health().breaker).toBe("open");
    expect(recorded.states.map((s) => s.state)).toEqual(["closed", "open"]);
    expect(redis.dependency.check).toBeUndefined();

    await redis.close();
    expect(redis.health().state).toBe("closed");
    expect(((await rejection(redis.run((c) => c.get("k")))) as AppError).code).toBe("UNAVAILABLE");
  });

  it("when a setting is invalid then it throws naming it", () => {
    expect(() =>
      createRedis({
        url: "redis://127.0.0.1:1",
        keyPrefix: "p",
        commandTimeoutMs: 0,
        metrics: recordingMetrics().metrics,
        logger: silentLogger,
      }),
    ).toThrow(/commandTimeoutMs must be an integer >= 1, got 0/);
  });
});

describe.runIf(sharedUp)("createRedis with Redis", () => {
  it("when Redis answers an error reply then the caller gets it unchanged and the breaker stays closed", async () => {
    const redis = await connectRedis(sharedRedisUrl);
    connections.push(redis);
    const key = `${redis.keyPrefix}:a-string`;
    await redis.client.set(key, "x", "PX", 10_000);
    for (let i = 0; i < 30; i += 1) {
      const error = await rejection(redis.run((client) => client.hget(key, "field")));
      expect((error as Error).name).toBe("ReplyError");
      expect((error as Error).message).toMatch(/^WRONGTYPE/);
    }
    expect(redis.health()).toMatchObject({ state: "ready", breaker: "closed" });
    await deleteKeys(sharedRedisUrl, redis.keyPrefix);
  });
});
