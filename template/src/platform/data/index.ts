export type {
  Database,
  DatabaseKind,
  Queryable,
  QueryOptions,
  QueryResult,
  Row,
  Session,
} from "./database.ts";
export type { CleanDatabaseEnv, DatabaseSettings } from "./database-config.ts";
export {
  databaseConfigSchema,
  databaseSettingsFrom,
  databaseUrl,
  redactDatabaseUrl,
} from "./database-config.ts";
export { sqlStateOf, sqlStates, toDatabaseError } from "./database-errors.ts";
export type { DbMetrics } from "./db-metrics.ts";
export { createDbMetrics, dbQueryDurationBuckets, noopDbMetrics } from "./db-metrics.ts";
// lumi:begin embedded
export type { EmbeddedDatabaseOptions } from "./embedded-database.ts";
export { createEmbeddedDatabase } from "./embedded-database.ts";
// lumi:end embedded
export type { MigrationState, MigrationStatus, Migrator, MigratorOptions } from "./migrate.ts";
export { createMigrator, migrationLockKey } from "./migrate.ts";
export type { CommandOutput, MigrateCommandOptions } from "./migrate-command.ts";
export { migrateUsage, runMigrateCommand } from "./migrate-command.ts";
export type { Migration } from "./migrations.ts";
export { checksumOf, loadMigrations, MigrationError } from "./migrations.ts";
export type { OpenDatabaseOptions, PrepareDatabaseOptions } from "./open-database.ts";
export { migrationsDirectory, openDatabase, prepareDatabase } from "./open-database.ts";
export type { DatabaseOptions } from "./postgres-database.ts";
export { createDatabase } from "./postgres-database.ts";
export type { QueryDescription } from "./query-summary.ts";
export { describeQuery } from "./query-summary.ts";
