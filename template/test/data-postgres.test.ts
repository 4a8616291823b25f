import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDatabase,
  createDbMetrics,
  type Database,
  type DatabaseOptions,
} from "../src/platform/data/index.ts";
import { AppError } from "../src/platform/errors/index.ts";
import {
  createTestDatabase,
  freePort,
  postgresAnswers,
  postgresTestsRun,
  recordingDbMetrics,
  sharedPostgresUrl,
  type TestDatabase,
} from "./postgres-support.ts";

const suite = "PostgreSQL pool";
const postgresUp = postgresTestsRun(await postgresAnswers(sharedPostgresUrl), [
  `${suite} (readiness, error mapping, statement timeout, pool exhaustion, transactions, metrics, spans)`,
]);

/** Awaits a call that must fail and returns its AppError. */
async function failure(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, "the call succeeded but was expected to fail").toBeInstanceOf(AppError);
  return error as AppError;
}

describe("PostgreSQL pool against a closed port", () => {
  it("when nothing listens then readiness fails naming the refusal and queries are DEPENDENCY_FAILED", async () => {
    const port = await freePort();
    const db = createDatabase({
      url: `postgres://lumi:secret-password@127.0.0.1:${port}/nowhere`,
      connectTimeoutMs: 500,
    });
    try {
      const check = await db.check();
      expect(check.ok).toBe(false);
      expect(check.reason).toMatch(/^database: .*ECONNREFUSED/);
      expect(check.reason).not.toContain("secret-password");
      const error = await failure(db.query("SELECT 1"));
      expect(error.code).toBe("DEPENDENCY_FAILED");
      expect(error.operational).toBe(true);
      expect(error.message).not.toContain("secret-password");
      expect((await failure(db.transaction(async () => 1))).code).toBe("DEPENDENCY_FAILED");
    } finally {
      await db.close();
    }
  });
});

describe.runIf(postgresUp)(suite, () => {
  let database: TestDatabase;
  const opened: Database[] = [];
  const open = (options: Partial<DatabaseOptions> = {}) => {
    const db = createDatabase({ url: database.url, ...options });
    opened.push(db);
    return db;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = open();
    await db.exec("CREATE TABLE things (id int PRIMARY KEY, n int CHECK (n >= 0))");
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    await database?.drop();
  });

  it("when the server answers then readiness is ok", async () => {
    expect(await open().check()).toEqual({ ok: true });
  });

  it("when a statement outlives DATABASE_STATEMENT_TIMEOUT_MS then it is DEADLINE_EXCEEDED at the timeout", async () => {
    const db = open({ statementTimeoutMs: 200 });
    const started = Date.now();
    const error = await failure(db.query("SELECT pg_sleep(5)"));
    expect(error.code).toBe("DEADLINE_EXCEEDED");
    expect(error.spec.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect((await db.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  it("when every connection is busy past the connect timeout then the caller gets UNAVAILABLE", async () => {
    const db = open({ poolMax: 1, connectTimeoutMs: 200 });
    const busy = db.query("SELECT pg_sleep(0.6)");
    const error = await failure(db.query("SELECT 1"));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.retryAfterSeconds).toBe(1);
    await busy;
  });

  it("when constraints are broken then a duplicate is ALREADY_EXISTS and the rest INTERNAL with the SQLSTATE", async () => {
    const db = open();
    await db.query("INSERT INTO things (id, n) VALUES ($1, $2)", [1, 1]);
    const duplicate = await failure(db.query("INSERT INTO things (id, n) VALUES ($1, $2)", [1, 2]));
    expect(duplicate.code).toBe("ALREADY_EXISTS");
    const check = await failure(db.query("INSERT INTO things (id, n) VALUES ($1, $2)", [2, -1]));
    expect(check).toMatchObject({ code: "INTERNAL", operational: false });
    expect(check.message).toMatch(/^database error 23514: /);
    const syntax = await failure(db.query("SELEKT 1"));
    expect(syntax.message).toMatch(/^database error 42601: /);
  });

  it("when a transaction throws then its writes are rolled back and the error passes through", async () => {
    const db = open();
    const error = await failure(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO things (id, n) VALUES (10, 1)");
        throw new AppError("VERSION_CONFLICT", "stop");
      }),
    );
    expect(error.code).toBe("VERSION_CONFLICT");
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO things (id, n) VALUES (11, 1)");
    });
    const { rows } = await db.query<{ id: number }>(
      "SELECT id FROM things WHERE id >= 10 ORDER BY id",
    );
    expect(rows).toEqual([{ id: 11 }]);
  });

  it("when int8 and arrays come back then they have the same types as on the embedded store", async () => {
    const result = await open().query<{ big: string; tags: string[]; at: Date }>(
      "SELECT 9007199254740993::int8 AS big, $1::text[] AS tags, $2::timestamptz AS at",
      [["a", "b"], new Date(0)],
    );
    expect(result.rows).toEqual([{ big: "9007199254740993", tags: ["a", "b"], at: new Date(0) }]);
    expect(result.rowCount).toBe(1);
  });

  it("when queries run then pool and duration metrics are recorded under the reserved names", async () => {
    const registry = new Registry();
    const db = open({ metrics: createDbMetrics(registry), poolMax: 2 });
    await Promise.all([db.query("SELECT pg_sleep(0.05)"), db.query("SELECT id FROM things")]);
    await db.query("UPDATE things SET n = n WHERE id = $1", [1]);
    const text = await registry.metrics();
    expect(text).toMatch(/lumi_db_query_duration_seconds_count\{operation="SELECT things"\} 1/);
    expect(text).toMatch(/lumi_db_query_duration_seconds_count\{operation="SELECT"\} 1/);
    expect(text).toMatch(/lumi_db_query_duration_seconds_count\{operation="UPDATE things"\} 1/);
    expect(text).toMatch(/lumi_db_pool_connections\{state="idle"\} 2/);
    expect(text).toMatch(/lumi_db_pool_connections\{state="in_use"\} 0/);
    expect(text).toMatch(/lumi_db_pool_waiting 0/);
  });

  it("when callers wait for a connection then the waiting gauge shows them", async () => {
    const { metrics, seen } = recordingDbMetrics();
    const db = open({ metrics, poolMax: 1 });
    await Promise.all([
      db.query("SELECT pg_sleep(0.05)"),
      db.query("SELECT 1"),
      db.query("SELECT 2"),
    ]);
    expect(Math.max(...seen.waiting)).toBe(2);
    expect(seen.pool.some(({ inUse }) => inUse === 1)).toBe(true);
    expect(seen.pool.at(-1)).toEqual({ inUse: 0, idle: 1 });
    expect(seen.queries.map((query) => query.operation)).toEqual(["SELECT", "SELECT", "SELECT"]);
  });

  describe("with tracing on", () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    beforeAll(() => {
      trace.setGlobalTracerProvider(provider);
    });
    afterAll(async () => {
      trace.disable();
      await provider.shutdown();
    });

    it("when a query runs then a CLIENT span carries the database semconv attributes", async () => {
      const db = open();
      await db.query("SELECT id FROM things WHERE id = $1", [1]);
      await db.query("SELECT 1", [], { summary: "ping" });
      await failure(db.query("SELECT nothing FROM things"));
      const spans = exporter.getFinishedSpans();
      const select = spans.find((span) => span.name === "SELECT things");
      expect(select?.kind).toBe(SpanKind.CLIENT);
      expect(select?.attributes).toEqual({
        "db.system.name": "postgresql",
        "db.operation.name": "SELECT",
        "db.query.summary": "SELECT things",
        "db.namespace": database.name,
        "server.address": new URL(database.url).hostname,
        "server.port": Number(new URL(database.url).port || 5432),
      });
      expect(spans.find((span) => span.name === "ping")?.attributes["db.query.summary"]).toBe(
        "ping",
      );
      const failed = spans.at(-1);
      expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
      expect(failed?.attributes["db.response.status_code"]).toBe("42703");
      expect(failed?.attributes["error.type"]).toBe("42703");
    });
  });
});
