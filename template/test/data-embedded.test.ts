import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEmbeddedDatabase,
  createMigrator,
  type Database,
  loadMigrations,
  type Migration,
  MigrationError,
  migrationsDirectory,
  prepareDatabase,
  runMigrateCommand,
} from "../src/platform/data/index.ts";
import { AppError } from "../src/platform/errors/index.ts";
import { recordingDbMetrics } from "./postgres-support.ts";

const silent = pino({ level: "silent" });
const settings = {
  url: "",
  poolMax: 10,
  poolIdleTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 10_000,
  migrateOnStart: false,
  migrateLockTimeoutMs: 5_000,
  embeddedDir: "",
};

/** Awaits a call that must fail and returns its error. */
async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error("the call succeeded but was expected to fail");
    },
    (error: unknown) => error,
  );
}

describe("embedded PGlite database", () => {
  const { metrics, seen } = recordingDbMetrics();
  let db: Database;
  // The shipped set grows with the service (lumi add repository adds migrations).
  const shipped = loadMigrations(migrationsDirectory);
  const versions = shipped.map((m) => m.version);
  const all = (state: string) => versions.map((version) => `${version}:${state}`);
  const states = async (migrations: readonly Migration[]) =>
    (await createMigrator({ db, migrations }).status()).map((l) => `${l.version}:${l.state}`);

  beforeAll(async () => {
    db = createEmbeddedDatabase({ metrics });
  });
  afterAll(async () => {
    await db.close();
  });

  it("when started then readiness is ok and the kind says embedded", async () => {
    expect(db.kind).toBe("embedded");
    await db.query("SELECT 1");
    expect(await db.check()).toEqual({ ok: true });
  });

  it("when prepared at start-up then the shipped migrations are applied even with migrate-on-start off", async () => {
    await prepareDatabase({ db, settings, logger: silent });
    expect(await states(shipped)).toEqual(all("applied"));
  });

  it("when the migrations go down to 0 and up again then status follows", async () => {
    const migrator = createMigrator({ db, migrations: shipped });
    expect((await migrator.down(0)).map((m) => m.version)).toEqual([...versions].reverse());
    expect(await states(shipped)).toEqual(all("pending"));
    const tables = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'items'");
    expect(tables.rowCount).toBe(0);
    expect((await migrator.up()).map((m) => m.version)).toEqual(versions);
    expect(await states(shipped)).toEqual(all("applied"));
  });

  it("when an applied migration's checksum differs then up is refused", async () => {
    const changed = shipped.map((m) => ({ ...m, checksum: "0".repeat(64) }));
    const error = await failure(createMigrator({ db, migrations: changed }).up());
    expect(error).toBeInstanceOf(MigrationError);
    expect(await states(changed)).toEqual(all("checksum_mismatch"));
  });

  it("when two runs start at once in one process then they take turns and apply once", async () => {
    const extra: Migration = {
      version: Math.max(...versions) + 1,
      name: "add_note",
      up: "ALTER TABLE items ADD COLUMN note text",
      down: "ALTER TABLE items DROP COLUMN note",
      checksum: "c".repeat(64),
      transactional: true,
    };
    const migrations = [...shipped, extra];
    const runs = await Promise.all([
      createMigrator({ db, migrations }).up(),
      createMigrator({ db, migrations }).up(),
    ]);
    expect(runs.map((run) => run.length).sort()).toEqual([0, 1]);
    await createMigrator({ db, migrations }).down(Math.max(...versions));
  });

  it("when errors happen then they map as on PostgreSQL", async () => {
    const id = "0a0a0a0a-0000-4000-8000-000000000001";
    const insert =
      "INSERT INTO items (id, name, create_time, update_time) VALUES ($1, $2, now(), now())";
    await db.query(insert, [id, "one"]);
    expect(await failure(db.query(insert, [id, "two"]))).toMatchObject({ code: "ALREADY_EXISTS" });
    const check = await failure(db.query(insert, ["1b1b1b1b-0000-4000-8000-000000000002", ""]));
    expect(check).toMatchObject({ code: "INTERNAL", operational: false });
    expect((check as AppError).message).toMatch(/^database error 23514: .*items_name_length/);
    expect(await failure(db.query("SELEKT 1"))).toMatchObject({ code: "INTERNAL" });
    const rolledBack = await failure(
      db.transaction(async (tx) => {
        await tx.query("DELETE FROM items");
        throw new AppError("VERSION_CONFLICT");
      }),
    );
    expect(rolledBack).toMatchObject({ code: "VERSION_CONFLICT" });
    const kept = await db.query<{ n: string }>("SELECT count(*) AS n FROM items");
    expect(kept.rows).toEqual([{ n: "1" }]);
    const changed = await db.query("UPDATE items SET description = 'x'");
    expect(changed.rowCount).toBe(1);
  });

  it("when queries ran then duration and one-connection pool metrics were recorded", () => {
    const operations = new Set(seen.queries.map((query) => query.operation));
    expect(operations).toContain("INSERT items");
    expect(operations).toContain("migrate up");
    expect(seen.pool).toContainEqual({ inUse: 1, idle: 0 });
    expect(seen.pool.at(-1)).toEqual({ inUse: 0, idle: 1 });
  });
});

describe("embedded PGlite database in a directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "lumi-pglite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("when closed and opened again then the data is still there, and npm run migrate sees it", async () => {
    const dataDir = join(dir, "data");
    const first = createEmbeddedDatabase({ dataDir });
    await prepareDatabase({ db: first, settings, logger: silent });
    await first.query(
      "INSERT INTO items (id, name, create_time, update_time) VALUES ($1, 'kept', now(), now())",
      ["0a0a0a0a-0000-4000-8000-000000000001"],
    );
    await first.close();
    expect((await failure(first.query("SELECT 1"))) as AppError).toMatchObject({
      code: "UNAVAILABLE",
    });

    const second = createEmbeddedDatabase({ dataDir });
    try {
      await prepareDatabase({ db: second, settings, logger: silent });
      const { rows } = await second.query<{ name: string }>("SELECT name FROM items");
      expect(rows).toEqual([{ name: "kept" }]);
    } finally {
      await second.close();
    }

    const lines: string[] = [];
    const output = {
      out: (line: string) => lines.push(line),
      err: (line: string) => lines.push(line),
    };
    const code = await runMigrateCommand(["status"], {
      env: { DATABASE_EMBEDDED_DIR: dataDir },
      output,
    });
    expect(code).toBe(0);
    expect(lines).toContain(`migrations of embedded store ${dataDir}:`);
    expect(lines.some((line) => /^ {2}0001_create_items {2}applied {2}\d{4}-/.test(line))).toBe(
      true,
    );
  });
});
