import { pino } from "pino";
import { Registry } from "prom-client";
import packageJson from "../../package.json" with { type: "json" };
import {
  createSqlItemsRepository,
  type Item,
  type ItemsRepository,
} from "../../src/app/items/index.ts";
import { loadConfig } from "../../src/platform/config/index.ts";
import { createDbMetrics, openDatabase, prepareDatabase } from "../../src/platform/data/index.ts";
import { createService, type ServiceOverrides } from "../../src/service.ts";

// The golden service with its storage chosen by BENCH_STORAGE, for the cache
// benchmark: "cached" (the service as configured: SQL under the two-tier
// cache), "uncached" (SQL only) or "constant" (a repository that returns one
// item from memory: the same route with no storage at all).

const mode = process.env.BENCH_STORAGE ?? "cached";
const config = loadConfig(process.env, { version: packageJson.version });
const overrides: { itemsRepository?: ItemsRepository } = {};

if (mode === "constant") {
  const now = new Date();
  const item = (id: string): Item => ({
    id,
    name: "bench",
    description: "",
    tags: ["bench"],
    version: 1,
    createTime: now,
    updateTime: now,
  });
  overrides.itemsRepository = {
    insert: async () => {},
    get: async (id) => item(id),
    list: async () => [],
    update: async (id) => ({ status: "ok", value: item(id) }),
    delete: async () => ({ status: "ok", value: undefined }),
    close: async () => {},
  };
} else if (mode === "uncached") {
  const db = openDatabase(config.database, { metrics: createDbMetrics(new Registry()) });
  await prepareDatabase({ db, settings: config.database, logger: pino({ level: "silent" }) });
  overrides.itemsRepository = createSqlItemsRepository(db);
}

const service = createService(config, overrides as ServiceOverrides);
await service.start();
process.on("SIGTERM", () => {
  void service.shutdown("SIGTERM").then(() => process.exit(0));
});
