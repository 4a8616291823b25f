import { setTimeout as sleep } from "node:timers/promises";
// lumi:begin rpc
import { createClient } from "@connectrpc/connect";
import { afterAll, afterEach, describe, expect, it, onTestFinished } from "vitest";
// lumi:end rpc
// lumi:begin !rpc
// import { afterAll, afterEach, describe, expect, it } from "vitest";
// lumi:end !rpc
import {
  createCachedItemsRepository,
  createMemoryItemsRepository,
  type Item,
  type ItemsRepository,
  itemSerializer,
} from "../src/app/items/index.ts";
// lumi:begin rpc
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
// lumi:end rpc
import {
  type CacheSettings,
  createCache,
  createRedis,
  type RedisConnection,
} from "../src/platform/cache/index.ts";
import {
  createMemoryRateLimitStore,
  createRedisRateLimitStore,
} from "../src/platform/ratelimit/index.ts";
import { countingCacheMetrics } from "./cache-support.ts";
import { recordingMetrics } from "./fault-server.ts";
// lumi:begin rpc
import { rpcTransports, startService, type TestService } from "./harness.ts";
// lumi:end rpc
// lumi:begin !rpc
// import { startService, type TestService } from "./harness.ts";
// lumi:end !rpc
import { sendJson } from "./http-support.ts";
import {
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

const sharedUp = redisTestsRun(
  await redisAnswers(sharedRedisUrl),
  `no Redis at ${sharedRedisUrl}`,
  ["service: items cached across instances", "service: shared rate limit across instances"],
);
const ownServer = redisTestsRun(redisServerInstalled, "redis-server not installed", [
  "service: Redis killed and restarted under load",
]);

/** The source of truth the instances share (as they would share Postgres), counting reads. */
function sharedSource(): { source: ItemsRepository; reads: () => number } {
  const repository = createMemoryItemsRepository();
  let reads = 0;
  return {
    reads: () => reads,
    source: {
      insert: (item) => repository.insert(item),
      get: (id) => {
        reads += 1;
        return repository.get(id);
      },
      list: (limit, after) => repository.list(limit, after),
      update: (id, version, changes, now) => repository.update(id, version, changes, now),
      delete: (id, version) => repository.delete(id, version),
      close: async () => {},
    },
  };
}

interface Instance {
  readonly svc: TestService;
  readonly redis: RedisConnection;
  readonly counts: Map<string, number>;
  stop(): Promise<void>;
}

const running: Instance[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  for (const instance of running.splice(0)) await instance.stop();
});
afterAll(async () => {
  if (sharedUp) for (const prefix of prefixes) await deleteKeys(sharedRedisUrl, prefix);
});

/** One service instance wired as the composition root would with REDIS_URL set. */
async function startInstance(
  url: string,
  prefix: string,
  source: ItemsRepository,
  options: { env?: Record<string, string>; cache?: Partial<CacheSettings> } = {},
): Promise<Instance> {
  prefixes.push(prefix);
  const redis = createRedis({
    url,
    keyPrefix: prefix,
    metrics: recordingMetrics().metrics,
    logger: silentLogger,
  });
  await redis.waitUntilReady(2_000);
  const { metrics, counts } = countingCacheMetrics();
  const cache = createCache<Item>({
    name: "items",
    serializer: itemSerializer,
    redis,
    metrics,
    logger: silentLogger,
    ...options.cache,
  });
  const env = {
    RATE_LIMIT_PER_SECOND: "1",
    RATE_LIMIT_BURST: "10",
    TRUSTED_PROXIES: "loopback",
    LOG_LEVEL: "warn",
    ...options.env,
  };
  const policy = {
    perSecond: Number(env.RATE_LIMIT_PER_SECOND),
    burst: Number(env.RATE_LIMIT_BURST),
  };
  const svc = await startService(env, {
    itemsRepository: createCachedItemsRepository(source, cache),
    rateLimitStore: createRedisRateLimitStore({
      redis,
      ...policy,
      fallback: createMemoryRateLimitStore(policy),
    }),
  });
  const instance = {
    svc,
    redis,
    counts,
    async stop() {
      await svc.stop();
      await cache.close();
      await redis.close();
    },
  };
  running.push(instance);
  return instance;
}

/** GET /v1/items/:id as the client `ip`. */
async function getItem(instance: Instance, id: string, ip: string) {
  const res = await fetch(`${instance.svc.httpUrl}/v1/items/${id}`, {
    headers: { "x-forwarded-for": ip },
  });
  return { status: res.status, body: (await res.json()) as { version?: number } };
}

/** Polls until `check` holds, for at most `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(5);
  }
  return performance.now() - started;
}

describe.runIf(sharedUp)("service instances sharing Redis", () => {
  it("when an item is read, updated and deleted through two instances then every surface serves the change at once, and reads hit the source only on misses", async () => {
    const prefix = testPrefix();
    const { source, reads } = sharedSource();
    const a = await startInstance(sharedRedisUrl, prefix, source);
    const b = await startInstance(sharedRedisUrl, prefix, source);
    const ip = "203.0.113.20";
    const created = await sendJson(`${a.svc.httpUrl}/v1/items`, "POST", { name: "cached" });
    const { id } = (await created.json()) as { id: string };

    expect((await getItem(a, id, ip)).body.version).toBe(1);
    // Instance B reads it from Redis; both surfaces of B share B's L1.
    await eventually(
      async () => (await a.redis.client.exists(`${prefix}:items:v1:${id}`)) === 1,
      1_000,
    );
    expect((await getItem(b, id, ip)).body.version).toBe(1);
    // lumi:begin rpc
    const transportsA = rpcTransports(a.svc.rpcUrl);
    const transportsB = rpcTransports(b.svc.rpcUrl);
    onTestFinished(() => {
      transportsA.close();
      transportsB.close();
    });
    const rpcA = createClient(ItemService, transportsA.get("connect h1 json"));
    const rpcB = createClient(ItemService, transportsB.get("connect h1 json"));
    const headers = { "x-forwarded-for": ip };
    expect((await rpcB.getItem({ id }, { headers })).item?.version).toBe(1n);
    // lumi:end rpc
    expect(reads()).toBe(1);
    expect(b.counts.get("hit:l2")).toBe(1);

    // An update over HTTP on B: A's copy is evicted through pub/sub.
    const patched = await sendJson(`${b.svc.httpUrl}/v1/items/${id}`, "PATCH", {
      version: 1,
      name: "changed",
    });
    expect(patched.status).toBe(200);
    const tookMs = await eventually(
      async () => (await getItem(a, id, ip)).body.version === 2,
      1_000,
    );
    expect(tookMs).toBeLessThan(200);
    // lumi:begin rpc
    expect((await rpcA.getItem({ id }, { headers })).item?.name).toBe("changed");

    // A delete over RPC on A: B answers not found on both surfaces.
    await rpcA.deleteItem({ id, version: 2n }, { headers });
    await eventually(async () => (await getItem(b, id, ip)).status === 404, 1_000);
    await expect(rpcB.getItem({ id }, { headers })).rejects.toThrow(/does not exist/);
    // lumi:end rpc
    // lumi:begin !rpc
    //
    // // A delete over HTTP on A: B answers not found.
    // const deleted = await fetch(`${a.svc.httpUrl}/v1/items/${id}`, {
    //   method: "DELETE",
    //   headers: { "if-match": '"2"', "x-forwarded-for": ip },
    // });
    // expect(deleted.status).toBe(204);
    // await eventually(async () => (await getItem(b, id, ip)).status === 404, 1_000);
    // lumi:end !rpc
  });

  it("when one client calls two instances then exactly the burst is allowed in total and the rest get 429 with Retry-After", async () => {
    const prefix = testPrefix();
    const { source } = sharedSource();
    const instances = [
      await startInstance(sharedRedisUrl, prefix, source),
      await startInstance(sharedRedisUrl, prefix, source),
    ];
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        fetch(`${instances[i % 2]?.svc.httpUrl}/v1/items`, {
          headers: { "x-forwarded-for": "203.0.113.21" },
        }),
      ),
    );
    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    for (const res of responses.filter((r) => r.status === 429)) {
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
  });
});

describe.runIf(ownServer)("a service instance when Redis fails", () => {
  let server: OwnRedisServer | undefined;
  afterAll(async () => server?.kill());

  it("when Redis is killed and restarted under load then no response is a 5xx, and cache and rate limit use Redis again within seconds", async () => {
    server = await startOwnRedisServer();
    const { source } = sharedSource();
    const instance = await startInstance(server.url, testPrefix(), source, {
      env: { RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" },
      cache: { ttlMs: 20, staleWhileRevalidateMs: 0 },
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await sendJson(`${instance.svc.httpUrl}/v1/items`, "POST", { name: `item ${i}` });
      ids.push(((await res.json()) as { id: string }).id);
    }
    const statuses = new Map<number, number>();
    let loop = true;
    const load = Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        while (loop) {
          const { status } = await getItem(
            instance,
            ids[worker % ids.length] ?? "",
            "203.0.113.22",
          );
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    await sleep(300);
    await server.kill();
    await eventually(async () => instance.redis.dependency.state() === "open", 3_000);
    await sleep(300);
    await server.restart();
    const l2Hits = instance.counts.get("hit:l2") ?? 0;
    const backMs = await eventually(
      async () =>
        (instance.counts.get("hit:l2") ?? 0) > l2Hits &&
        (await instance.redis.client.exists(
          `${instance.redis.keyPrefix}:ratelimit:203.0.113.22`,
        )) === 1,
      8_000,
    );
    loop = false;
    await load;

    expect([...statuses.keys()]).toEqual([200]);
    expect(statuses.get(200)).toBeGreaterThan(100);
    expect(backMs).toBeLessThan(5_000);
  }, 20_000);
});
