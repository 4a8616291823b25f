import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startService, type TestService } from "./harness.ts";
import { sendJson } from "./http-support.ts";
import {
  deleteKeys,
  freePort,
  redisAnswers,
  redisTestsRun,
  sharedRedisUrl,
  testPrefix,
} from "./redis-support.ts";

const sharedUp = redisTestsRun(
  await redisAnswers(sharedRedisUrl),
  `no Redis at ${sharedRedisUrl}`,
  ["service: REDIS_URL set → item reads cached in both tiers"],
);

const services: TestService[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  for (const svc of services.splice(0)) await svc.stop();
});
afterAll(async () => {
  if (sharedUp) for (const prefix of prefixes) await deleteKeys(sharedRedisUrl, prefix);
});

async function start(env: Record<string, string>): Promise<TestService> {
  const svc = await startService({ RATE_LIMIT_ENABLED: "false", ...env });
  services.push(svc);
  return svc;
}

async function createAndReadTwice(svc: TestService): Promise<string> {
  const created = await sendJson(`${svc.httpUrl}/v1/items`, "POST", { name: "wired" });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  for (let i = 0; i < 2; i += 1) {
    expect((await fetch(`${svc.httpUrl}/v1/items/${id}`)).status).toBe(200);
  }
  return id;
}

describe("the service's Redis wiring", () => {
  it.runIf(sharedUp)(
    "when REDIS_URL is set then item reads go through both tiers and the cache metrics are served",
    async () => {
      const prefix = testPrefix();
      prefixes.push(prefix);
      const svc = await start({ REDIS_URL: sharedRedisUrl, REDIS_KEY_PREFIX: prefix });
      const id = await createAndReadTwice(svc);
      const scrape = await (await fetch(`${svc.opsUrl}/metrics`)).text();
      expect(scrape).toContain('lumi_cache_misses_total{cache="items",tier="l1"} 1');
      expect(scrape).toContain('lumi_cache_misses_total{cache="items",tier="l2"} 1');
      expect(scrape).toContain('lumi_cache_loads_total{cache="items",outcome="success"} 1');
      expect(scrape).toContain('lumi_cache_hits_total{cache="items",tier="l1"} 1');
      expect(scrape).toContain('lumi_outbound_breaker_state{dependency="redis"} 0');
      const probe = await fetch(`${svc.opsUrl}/readyz`);
      expect(probe.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { Redis } = await import("ioredis");
      const client = new Redis(sharedRedisUrl);
      try {
        expect(await client.exists(`${prefix}:items:v1:${id}`)).toBe(1);
      } finally {
        client.disconnect();
      }
    },
  );

  it("when REDIS_URL points at no server then the service starts ready and serves items, and its password is never logged", async () => {
    const svc = await start({ REDIS_URL: `redis://:not-for-logs@127.0.0.1:${await freePort()}` });
    expect((await fetch(`${svc.opsUrl}/readyz`)).status).toBe(200);
    await createAndReadTwice(svc);
    expect(svc.logs.some((line) => line.msg === "redis unreachable; serving without it")).toBe(
      true,
    );
    expect(JSON.stringify(svc.logs)).not.toContain("not-for-logs");
  });

  it("when REDIS_URL is empty then items are cached in the process only", async () => {
    const svc = await start({});
    await createAndReadTwice(svc);
    const scrape = await (await fetch(`${svc.opsUrl}/metrics`)).text();
    expect(scrape).toContain('lumi_cache_hits_total{cache="items",tier="l1"} 1');
    expect(scrape).not.toContain('tier="l2"');
    expect(scrape).not.toContain('dependency="redis"');
  });
});
