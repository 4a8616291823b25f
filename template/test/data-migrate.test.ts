import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanEnv } from "envalid";
import pg from "pg";
import { pino } from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  createDatabase,
  createMigrator,
  type Database,
  databaseConfigSchema,
  databaseSettingsFrom,
  loadMigrations,
  MigrationError,
  migrationLockKey,
  migrationsDirectory,
  openDatabase,
  prepareDatabase,
} from "../src/platform/data/index.ts";
import {
  createTestDatabase,
  postgresAnswers,
  postgresTestsRun,
  sharedPostgresUrl,
  type TestDatabase,
} from "./postgres-support.ts";

const suite = "migrations on PostgreSQL";
const postgresUp = postgresTestsRun(await postgresAnswers(sharedPostgresUrl), [
  `${suite} (up/down/up, checksum, concurrent runners, lock timeout, order, rollback, no-transaction, start-up, npm run migrate)`,
]);

/** Three migrations: items (as shipped), a column, and an index. */
const threeMigrations: Record<string, string> = {
  "0001_create_items.up.sql": "CREATE TABLE items (id uuid PRIMARY KEY, name text NOT NULL);",
  "0001_create_items.down.sql": "DROP TABLE items;",
  "0002_add_note.up.sql": "ALTER TABLE items ADD COLUMN note text;\nSELECT pg_sleep(0.3);",
  "0002_add_note.down.sql": "ALTER TABLE items DROP COLUMN note;",
  "0003_index_name.up.sql": "CREATE INDEX items_name_idx ON items (name);",
  "0003_index_name.down.sql": "DROP INDEX items_name_idx;",
};

const directories: string[] = [];
/** A directory of migration files of the test's own. */
function migrationDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "lumi-migrations-"));
  directories.push(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe.runIf(postgresUp)(suite, () => {
  const opened: Database[] = [];
  const databases: TestDatabase[] = [];
  /** A fresh database, and `count` pools on it. */
  async function fresh(count = 1): Promise<{ url: string; dbs: Database[] }> {
    const database = await createTestDatabase();
    databases.push(database);
    const dbs = Array.from({ length: count }, () => createDatabase({ url: database.url }));
    opened.push(...dbs);
    return { url: database.url, dbs };
  }
  const migrator = (db: Database, dir: string | URL, lockTimeoutMs?: number) =>
    createMigrator({
      db,
      migrations: loadMigrations(dir),
      ...(lockTimeoutMs === undefined ? {} : { lockTimeoutMs }),
    });
  const states = async (db: Database, dir: string | URL) =>
    (await migrator(db, dir).status()).map((line) => `${line.version}:${line.state}`);
  const tables = async (db: Database) =>
    (
      await db.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      )
    ).rows.map((row) => row.name);

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });
  afterAll(async () => {
    await Promise.all(databases.map((database) => database.drop()));
    for (const dir of directories) rmSync(dir, { recursive: true, force: true });
  });

  it("when the shipped migrations go up, down to 0 and up again then the items table follows", async () => {
    const {
      dbs: [db],
    } = await fresh();
    if (db === undefined) throw new Error("no database");
    // The shipped set grows with the service (lumi add repository adds migrations).
    const versions = loadMigrations(migrationsDirectory).map((m) => m.version);
    const all = (state: string) => versions.map((version) => `${version}:${state}`);
    expect(await states(db, migrationsDirectory)).toEqual(all("pending"));
    expect((await migrator(db, migrationsDirectory).up()).map((m) => m.version)).toEqual(versions);
    expect(await tables(db)).toEqual(expect.arrayContaining(["items", "schema_migrations"]));
    expect(await states(db, migrationsDirectory)).toEqual(all("applied"));
    expect((await migrator(db, migrationsDirectory).down(0)).map((m) => m.version)).toEqual(
      [...versions].reverse(),
    );
    expect(await tables(db)).toEqual(["schema_migrations"]);
    expect(await states(db, migrationsDirectory)).toEqual(all("pending"));
    await migrator(db, migrationsDirectory).up();
    expect(await states(db, migrationsDirectory)).toEqual(all("applied"));
    expect(await migrator(db, migrationsDirectory).up()).toEqual([]);
  });

  it("when going down to a target then only the versions above it are reverted, newest first", async () => {
    const {
      dbs: [db],
    } = await fresh();
    if (db === undefined) throw new Error("no database");
    const dir = migrationDir(threeMigrations);
    await migrator(db, dir).up();
    const reverted = await migrator(db, dir).down(1);
    expect(reverted.map((m) => m.version)).toEqual([3, 2]);
    expect(await states(db, dir)).toEqual(["1:applied", "2:pending", "3:pending"]);
    const row = await db.query<{
      version: string;
      name: string;
      checksum: string;
      applied_at: Date;
    }>("SELECT version, name, checksum, applied_at FROM schema_migrations");
    expect(row.rows).toEqual([
      {
        version: "1",
        name: "create_items",
        checksum: loadMigrations(dir)[0]?.checksum,
        applied_at: expect.any(Date),
      },
    ]);
    expect((await migrator(db, dir).up()).map((m) => m.version)).toEqual([2, 3]);
  });

  it("when an applied migration's file changed then up and down are refused and status says so", async () => {
    const {
      dbs: [db],
    } = await fresh();
    if (db === undefined) throw new Error("no database");
    const dir = migrationDir(threeMigrations);
    await migrator(db, dir).up();
    writeFileSync(join(dir, "0002_add_note.up.sql"), "ALTER TABLE items ADD COLUMN note2 text;");
    const up = await migrator(db, dir)
      .up()
      .catch((error: unknown) => error);
    expect(up).toBeInstanceOf(MigrationError);
    expect((up as Error).message).toContain("0002_add_note");
    expect((up as Error).message).toContain("checksum");
    await expect(migrator(db, dir).down(0)).rejects.toThrow(/checksum/);
    expect(await states(db, dir)).toEqual(["1:applied", "2:checksum_mismatch", "3:applied"]);
  });

  it("when two runners start at once on one database then each migration is applied exactly once", async () => {
    const { dbs } = await fresh(2);
    const dir = migrationDir(threeMigrations);
    const [first, second] = await Promise.all(dbs.map((db) => migrator(db, dir).up()));
    const applied = [...(first ?? []), ...(second ?? [])].map((m) => m.version).sort();
    expect(applied).toEqual([1, 2, 3]);
    // One did all the work while the other waited on the lock, then found nothing pending.
    expect([first?.length, second?.length].sort()).toEqual([0, 3]);
    const rows = await dbs[0]?.query("SELECT version FROM schema_migrations");
    expect(rows?.rowCount).toBe(3);
  });

  it("when another run holds the lock past the lock timeout then the run fails saying so", async () => {
    const { url, dbs } = await fresh();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1::bigint)", [migrationLockKey]);
      const started = Date.now();
      const db = dbs[0] as Database;
      const failure = await migrator(db, migrationDir(threeMigrations), 300)
        .up()
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(MigrationError);
      expect((failure as Error).message).toMatch(/held the lock for more than 300 ms/);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await tables(db)).toEqual([]);
    } finally {
      await holder.end();
    }
  });

  it("when a pending migration is older than an applied one then up is refused", async () => {
    const {
      dbs: [db],
    } = await fresh();
    if (db === undefined) throw new Error("no database");
    const {
      "0002_add_note.up.sql": _up,
      "0002_add_note.down.sql": _down,
      ...gap
    } = threeMigrations;
    await migrator(db, migrationDir(gap)).up();
    await expect(migrator(db, migrationDir(threeMigrations)).up()).rejects.toThrow(
      /0002_add_note pending but 3 is already applied/,
    );
  });

  it("when a migration fails then it is rolled back whole and the earlier ones stay", async () => {
    const {
      dbs: [db],
    } = await fresh();
    if (db === undefined) throw new Error("no database");
    const dir = migrationDir({
      ...threeMigrations,
      "0002_add_note.up.sql": "CREATE TABLE notes (id int);\nALTER TABLE nowhere ADD COLUMN x int;",
    });
    const failure = await migrator(db, dir)
      .up()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as Error).message).toMatch(
      /0002_add_note up failed: relation "nowhere" does not exist/,
    );
    expect(await tables(db)).toEqual(["items", "schema_migrations"]);
    expect(await states(db, dir)).toEqual(["1:applied", "2:pending", "3:pending"]);
  });

  it("when a migration is marked no-transaction then it may create an index concurrently", async () => {
    const {
      dbs: [db],
    } = await fresh();
    if (db === undefined) throw new Error("no database");
    const dir = migrationDir({
      ...threeMigrations,
      "0003_index_name.up.sql":
        "-- migrate: no-transaction\nCREATE INDEX CONCURRENTLY items_name_idx ON items (name);",
    });
    expect(loadMigrations(dir)[2]?.transactional).toBe(false);
    await migrator(db, dir).up();
    const index = await db.query("SELECT 1 FROM pg_indexes WHERE indexname = 'items_name_idx'");
    expect(index.rowCount).toBe(1);
  });

  it("when the database is ahead of the files then status says unknown and up applies nothing", async () => {
    const {
      dbs: [db],
    } = await fresh();
    if (db === undefined) throw new Error("no database");
    await migrator(db, migrationDir(threeMigrations)).up();
    const {
      "0003_index_name.up.sql": _up,
      "0003_index_name.down.sql": _down,
      ...older
    } = threeMigrations;
    const dir = migrationDir(older);
    expect(await states(db, dir)).toEqual(["1:applied", "2:applied", "3:unknown"]);
    expect(await migrator(db, dir).up()).toEqual([]);
    await expect(migrator(db, dir).down(0)).rejects.toThrow(
      /version 3 is applied but has no migration file/,
    );
  });

  it("when the service starts then migrate-on-start decides between applying and warning", async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const lines: { msg: string; migrations?: string[] }[] = [];
    const logger = pino(
      { level: "info" },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const settings = {
      ...databaseSettingsFrom(cleanEnv({}, databaseConfigSchema)),
      url: database.url,
    };
    const db = openDatabase(settings);
    opened.push(db);
    expect(db.kind).toBe("postgres");
    await prepareDatabase({ db, settings, logger });
    expect(lines.at(-1)).toMatchObject({
      msg: "the database schema is behind this release: run `npm run migrate`",
      migrations: ["1 pending"],
    });
    await prepareDatabase({ db, settings: { ...settings, migrateOnStart: true }, logger });
    expect(lines.at(-1)).toMatchObject({ msg: "database migrated", applied: [1] });
    expect(await states(db, migrationsDirectory)).toEqual(["1:applied"]);
  });

  it("when npm run migrate runs then status, up and down print what they did", async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const run = (...args: string[]) => migrateCommand(args, { DATABASE_URL: database.url });
    const before = await run("status");
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/0001_create_items {2}pending/);
    const up = await run();
    expect(up).toMatchObject({ code: 0 });
    expect(up.stdout).toContain("applied 0001_create_items");
    expect((await run("status")).stdout).toMatch(/0001_create_items {2}applied {2}\d{4}-/);
    const down = await run("down", "0");
    expect(down.stdout).toContain("reverted 0001_create_items");
    expect((await run("down")).code).toBe(2);
  });
});

describe("npm run migrate without a database", () => {
  it("when no database is configured then it exits 2 saying why", async () => {
    const result = await migrateCommand(["status"], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("nothing to migrate");
  });

  it("when DATABASE_URL is not a postgres URL then it exits 2 naming the key", async () => {
    const result = await migrateCommand(["status"], { DATABASE_URL: "http://db:5432/x" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("DATABASE_URL");
  });
});

const script = fileURLToPath(new URL("../scripts/migrate.ts", import.meta.url));

/** Runs `node scripts/migrate.ts …` with only `env` (and PATH) set. */
function migrateCommand(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
