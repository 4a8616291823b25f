import { existsSync } from "node:fs";
import type { Logger } from "../logging/index.ts";
import type { Database } from "./database.ts";
import type { DatabaseSettings } from "./database-config.ts";
import type { DbMetrics } from "./db-metrics.ts";
// lumi:begin embedded
import { createEmbeddedDatabase } from "./embedded-database.ts";
// lumi:end embedded
import { createMigrator, type MigrationStatus } from "./migrate.ts";
import { loadMigrations } from "./migrations.ts";
import { createDatabase } from "./postgres-database.ts";

/**
 * The service's migrations: `migrations/` in the service's root, the nearest
 * directory above this module with a `package.json` (beside `src/`, and
 * beside `dist/` once bundled, wherever the bundler put this code).
 */
export const migrationsDirectory: URL = new URL("migrations/", packageRootOf(import.meta.url));

function packageRootOf(moduleUrl: string): URL {
  for (let dir = new URL(".", moduleUrl); ; ) {
    if (existsSync(new URL("package.json", dir))) return dir;
    const parent = new URL("..", dir);
    if (parent.href === dir.href) throw new Error(`no package.json above ${moduleUrl}`);
    dir = parent;
  }
}

/** What {@link openDatabase} needs besides the settings. */
export interface OpenDatabaseOptions {
  readonly metrics?: DbMetrics;
  readonly logger?: Logger;
  /** `application_name` on PostgreSQL: the service name. */
  readonly applicationName?: string;
}

// lumi:begin embedded
/**
 * Opens the store the settings name: PostgreSQL when `DATABASE_URL` is set,
 * else the embedded PGlite store (in `DATABASE_EMBEDDED_DIR`, or in memory).
 * Nothing waits here; queries wait for the connection or the start.
 */
// lumi:end embedded
// lumi:begin !embedded
// /**
//  * Opens the PostgreSQL pool of `DATABASE_URL`. Nothing waits here; queries
//  * wait for the connection.
//  */
// lumi:end !embedded
export function openDatabase(
  settings: DatabaseSettings,
  options: OpenDatabaseOptions = {},
): Database {
  // lumi:begin embedded
  if (settings.url === "") {
    return createEmbeddedDatabase({
      ...(settings.embeddedDir === "" ? {} : { dataDir: settings.embeddedDir }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }
  // lumi:end embedded
  return createDatabase({
    url: settings.url,
    poolMax: settings.poolMax,
    poolIdleTimeoutMs: settings.poolIdleTimeoutMs,
    connectTimeoutMs: settings.connectTimeoutMs,
    statementTimeoutMs: settings.statementTimeoutMs,
    ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}

/** Options of {@link prepareDatabase}. */
export interface PrepareDatabaseOptions {
  readonly db: Database;
  readonly settings: DatabaseSettings;
  readonly logger: Logger;
  /** Defaults to {@link migrationsDirectory}. */
  readonly directory?: string | URL;
}

/**
 * The start-up step of the data layer, before the listeners bind: an
 * embedded store is always migrated (it belongs to this process alone);
 * PostgreSQL is migrated when `DATABASE_MIGRATE_ON_START` is true, otherwise
 * pending or changed migrations are only logged as a warning (a deploy step
 * runs `npm run migrate`), and an unreachable server is left to readiness.
 * A failed migration throws: the service does not start on a half-migrated
 * schema.
 */
export async function prepareDatabase(options: PrepareDatabaseOptions): Promise<void> {
  const { db, settings, logger } = options;
  const migrator = createMigrator({
    db,
    migrations: loadMigrations(options.directory ?? migrationsDirectory),
    lockTimeoutMs: settings.migrateLockTimeoutMs,
    logger,
  });
  // lumi:begin embedded
  const migrate = db.kind === "embedded" || settings.migrateOnStart;
  // lumi:end embedded
  // lumi:begin !embedded
  // const migrate = settings.migrateOnStart;
  // lumi:end !embedded
  if (migrate) {
    const applied = await migrator.up();
    logger.info(
      { store: db.kind, applied: applied.map((migration) => migration.version) },
      "database migrated",
    );
    return;
  }
  let status: MigrationStatus[];
  try {
    status = await migrator.status();
  } catch (error) {
    // Unreachable now is what readiness reports; the service starts regardless.
    logger.warn({ err: error }, "could not read the migration status");
    return;
  }
  const behind = status.filter(
    (line) => line.state === "pending" || line.state === "checksum_mismatch",
  );
  if (behind.length > 0) {
    logger.warn(
      { migrations: behind.map((line) => `${line.version} ${line.state}`) },
      "the database schema is behind this release: run `npm run migrate`",
    );
  }
}
