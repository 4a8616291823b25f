import { AppError } from "../errors/index.ts";
import type { Logger } from "../logging/index.ts";
import type { Database, Queryable, Session } from "./database.ts";
import { type Migration, MigrationError } from "./migrations.ts";

/** Where one migration stands in a database. */
export type MigrationState =
  /** Applied, with the checksum of the file. */
  | "applied"
  /** Not applied yet. */
  | "pending"
  /** Applied, but the file changed since: runs are refused until it is restored. */
  | "checksum_mismatch"
  /** Applied by a newer release: the database is ahead of this code. */
  | "unknown";

/** One line of {@link Migrator.status}. */
export interface MigrationStatus {
  readonly version: number;
  readonly name: string;
  readonly state: MigrationState;
  readonly appliedAt?: Date;
}

/** Applies and reverts the migrations of one database. */
export interface Migrator {
  /** Every known version, from the files and from the database, in order. */
  status(): Promise<MigrationStatus[]>;
  /** Applies every pending migration in order; returns those applied now. */
  up(): Promise<Migration[]>;
  /** Reverts applied migrations above `target`, newest first; returns those reverted. */
  down(target: number): Promise<Migration[]>;
}

/** Options of {@link createMigrator}. */
export interface MigratorOptions {
  readonly db: Database;
  /** The migrations, as {@link loadMigrations} reads them. */
  readonly migrations: readonly Migration[];
  /** How long to wait for another run's lock, and for table locks, in ms. */
  readonly lockTimeoutMs?: number;
  /** Key of the advisory lock, as a decimal int8; one per database by default. */
  readonly lockKey?: string;
  readonly logger?: Logger;
}

/** The advisory lock key of migration runs: the int8 of "lumi-mig" in ASCII. */
export const migrationLockKey = "7815273026872502631";

const table = "schema_migrations";
const columns = `version bigint PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()`;

interface AppliedRow {
  readonly version: string;
  readonly name: string;
  readonly checksum: string;
  readonly applied_at: Date;
}

/**
 * Creates the migration runner. A run (`up`, `down`) holds a Postgres
 * advisory lock on one connection for its whole duration, so instances
 * starting together apply each migration exactly once: the others wait,
 * then find nothing pending. Each migration runs in its own transaction
 * with its `schema_migrations` row (version, name, checksum, applied_at).
 * A run is refused when an applied migration's file changed (checksum), or
 * when a pending migration is older than one already applied. PGlite runs
 * the same code: its lock is uncontended, and its sessions take turns.
 */
export function createMigrator(options: MigratorOptions): Migrator {
  const { db, migrations, logger } = options;
  const lockKey = options.lockKey ?? migrationLockKey;
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  const byVersion = new Map(migrations.map((migration) => [migration.version, migration]));

  const locked = <T>(run: (session: Session) => Promise<T>): Promise<T> =>
    db.withSession(async (session) => {
      // Migrations may run long; waiting on locks may not.
      await session.exec(`SET statement_timeout = 0; SET lock_timeout = ${lockTimeoutMs}`);
      let held = false;
      try {
        await acquire(session);
        held = true;
        await session.exec(`CREATE TABLE IF NOT EXISTS ${table} (${columns})`);
        const result = await run(session);
        await restore(session, held);
        return result;
      } catch (error) {
        // The failure matters, not the clean-up: on a server, a failed
        // session's connection is dropped, and its lock with it.
        await restore(session, held).catch(() => {});
        throw error;
      }
    });
  const acquire = async (session: Session) => {
    try {
      await session.query("SELECT pg_advisory_lock($1::bigint)", [lockKey]);
    } catch (error) {
      if (error instanceof AppError && error.code === "DEADLINE_EXCEEDED") {
        throw new MigrationError(
          `another migration run held the lock for more than ${lockTimeoutMs} ms`,
          { cause: error },
        );
      }
      throw error;
    }
  };
  const restore = async (session: Session, held: boolean) => {
    if (held) await session.query("SELECT pg_advisory_unlock($1::bigint)", [lockKey]);
    await session.exec("RESET statement_timeout; RESET lock_timeout");
  };

  const mismatches = (applied: Map<number, AppliedRow>, versions: Iterable<number>): string[] =>
    [...versions].flatMap((version) => {
      const row = applied.get(version);
      const file = byVersion.get(version);
      return row !== undefined && file !== undefined && row.checksum !== file.checksum
        ? [`${label(file)}`]
        : [];
    });

  const run = async (session: Session, migration: Migration, direction: "up" | "down") => {
    const started = performance.now();
    const record = async (on: Queryable) => {
      if (direction === "up") {
        await on.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
      } else {
        await on.query(`DELETE FROM ${table} WHERE version = $1`, [migration.version]);
      }
    };
    const sql = (direction === "up" ? migration.up : migration.down) ?? "";
    const summary = { summary: `migrate ${direction}` };
    try {
      if (migration.transactional) {
        await session.transaction(async (tx) => {
          await tx.exec(sql, summary);
          await record(tx);
        });
      } else {
        await session.exec(sql, summary);
        await record(session);
      }
    } catch (error) {
      throw new MigrationError(`${label(migration)} ${direction} failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
    logger?.info(
      {
        version: migration.version,
        name: migration.name,
        ms: Math.round(performance.now() - started),
      },
      direction === "up" ? "migration applied" : "migration reverted",
    );
  };

  return {
    async status() {
      const applied = await readApplied(db);
      const versions = [...new Set([...byVersion.keys(), ...applied.keys()])].sort((a, b) => a - b);
      return versions.map((version): MigrationStatus => {
        const file = byVersion.get(version);
        const row = applied.get(version);
        const name = file?.name ?? row?.name ?? "";
        if (row === undefined) return { version, name, state: "pending" };
        const state =
          file === undefined
            ? "unknown"
            : file.checksum === row.checksum
              ? "applied"
              : "checksum_mismatch";
        return { version, name, state, appliedAt: row.applied_at };
      });
    },
    up: () =>
      locked(async (session) => {
        const applied = await readApplied(session);
        const changed = mismatches(applied, applied.keys());
        if (changed.length > 0) {
          throw new MigrationError(
            `applied migrations changed since they ran (checksum): ${changed.join(", ")}; restore them and add a new migration instead`,
          );
        }
        const newest = Math.max(0, ...applied.keys());
        const pending = migrations.filter((migration) => !applied.has(migration.version));
        const late = pending.filter((migration) => migration.version < newest);
        if (late.length > 0) {
          throw new MigrationError(
            `${late.map(label).join(", ")} pending but ${newest} is already applied; renumber them above ${newest}`,
          );
        }
        for (const migration of pending) await run(session, migration, "up");
        return pending;
      }),
    async down(target) {
      if (!Number.isSafeInteger(target) || target < 0) {
        throw new MigrationError(`the target version must be a whole number >= 0, got ${target}`);
      }
      return locked(async (session) => {
        const applied = await readApplied(session);
        const versions = [...applied.keys()]
          .filter((version) => version > target)
          .sort((a, b) => b - a);
        const changed = mismatches(applied, versions);
        if (changed.length > 0) {
          throw new MigrationError(
            `applied migrations changed since they ran (checksum): ${changed.join(", ")}; restore them before reverting`,
          );
        }
        const reverting = versions.map((version) => {
          const migration = byVersion.get(version);
          if (migration === undefined) {
            throw new MigrationError(
              `version ${version} is applied but has no migration file here`,
            );
          }
          if (migration.down === undefined) {
            throw new MigrationError(`${label(migration)} has no down file: it cannot be reverted`);
          }
          return migration;
        });
        for (const migration of reverting) await run(session, migration, "down");
        return reverting;
      });
    },
  };
}

/** The `schema_migrations` rows by version; none when the table does not exist yet. */
async function readApplied(on: Queryable): Promise<Map<number, AppliedRow>> {
  const exists = await on.query<{ found: boolean }>(
    `SELECT to_regclass('${table}') IS NOT NULL AS found`,
  );
  if (exists.rows[0]?.found !== true) return new Map();
  const { rows } = await on.query<AppliedRow>(
    `SELECT version, name, checksum, applied_at FROM ${table} ORDER BY version`,
  );
  return new Map(rows.map((row) => [Number(row.version), row]));
}

function label(migration: Pick<Migration, "version" | "name">): string {
  return `${String(migration.version).padStart(4, "0")}_${migration.name}`;
}

/** The most useful message of a failure: an AppError's cause holds the database's own words. */
function messageOf(error: unknown): string {
  if (error instanceof AppError && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}
