import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import pg from "pg";
import type { DbMetrics } from "../src/platform/data/index.ts";

/** The shared PostgreSQL the tests use: `TEST_DATABASE_URL`, else the CI machine's. */
export const sharedPostgresUrl =
  process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";

/** `host:port` of {@link sharedPostgresUrl}, for messages. */
export const sharedPostgresAddress = (() => {
  const url = new URL(sharedPostgresUrl);
  return `${url.hostname}:${url.port || 5432}`;
})();

/** Whether a PostgreSQL answers `SELECT 1` at `url` within `timeoutMs`. */
export async function postgresAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Decides whether tests needing PostgreSQL run. When they cannot, it prints
 * one line naming them; in CI (`CI=true`) it throws instead, failing the
 * file, so CI always runs them.
 */
export function postgresTestsRun(available: boolean, tests: readonly string[]): boolean {
  if (available) return true;
  const line = `skipped (PostgreSQL not reachable at ${sharedPostgresAddress}): ${tests.join("; ")}`;
  if (process.env.CI === "true" || process.env.CI === "1") throw new Error(`in CI, ${line}`);
  process.stdout.write(`${line}\n`);
  return false;
}

/** A database of one test's own on the shared server. */
export interface TestDatabase {
  /** Its connection URL. */
  readonly url: string;
  readonly name: string;
  /** Drops it, closing whatever is still connected. */
  drop(): Promise<void>;
}

/** Creates `lumi_test_<random>` on the shared server, so tests never see each other's tables. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `lumi_test_${randomBytes(6).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(sharedPostgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Runs one statement on the shared server's own database. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({
    connectionString: sharedPostgresUrl,
    connectionTimeoutMillis: 2_000,
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** What a {@link recordingDbMetrics} saw. */
export interface DbMetricsRecord {
  readonly pool: { inUse: number; idle: number }[];
  readonly waiting: number[];
  readonly queries: { operation: string; seconds: number }[];
}

/** A {@link DbMetrics} that keeps every call, for assertions. */
export function recordingDbMetrics(): { metrics: DbMetrics; seen: DbMetricsRecord } {
  const seen: DbMetricsRecord = { pool: [], waiting: [], queries: [] };
  return {
    seen,
    metrics: {
      poolConnections: (inUse, idle) => seen.pool.push({ inUse, idle }),
      poolWaiting: (waiting) => seen.waiting.push(waiting),
      queryDuration: (operation, seconds) => seen.queries.push({ operation, seconds }),
    },
  };
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
