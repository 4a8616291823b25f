// lumi:begin embedded
import { bool, EnvError, makeValidator, str } from "envalid";
// lumi:end embedded
// lumi:begin !embedded
// import { bool, EnvError, makeValidator } from "envalid";
// lumi:end !embedded
// A leaf module: the configuration schema spreads this part in without
// loading a driver.
import { int } from "../config/validators.ts";

/** An envalid validator for a `postgres://` or `postgresql://` URL, or "" for none. */
export const databaseUrl = makeValidator<string>((input: string) => {
  const value = input.trim();
  if (value === "") return "";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EnvError("must be a postgres:// URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new EnvError(`must be a postgres:// URL, got ${url.protocol}//…`);
  }
  return value;
});

/**
 * The database part of the configuration schema, to spread into
 * `configSchema`: each key with its doc line, default and environment name.
 */
export const databaseConfigSchema = {
  DATABASE_URL: databaseUrl({
    default: "",
    desc: "PostgreSQL connection URL; docs/data.md says when it may be empty. Secret: the boot log shows it with the password redacted.",
    example: "postgres://lumi:lumi@127.0.0.1:5432/lumi",
  }),
  DATABASE_POOL_MAX: int({ min: 1, max: 1_000 })({
    default: 10,
    desc: "Most connections each instance opens to PostgreSQL; instances × this must stay below the server's max_connections.",
  }),
  DATABASE_POOL_IDLE_TIMEOUT_MS: int({ min: 0, max: 3_600_000 })({
    default: 10_000,
    desc: "How long an unused connection stays open; 0 keeps it until the pool closes.",
  }),
  DATABASE_CONNECT_TIMEOUT_MS: int({ min: 100, max: 60_000 })({
    default: 5_000,
    desc: "Bound on opening a connection and on waiting for a free one; then the call fails (502 unreachable, 503 pool busy).",
  }),
  DATABASE_STATEMENT_TIMEOUT_MS: int({ min: 0, max: 3_600_000 })({
    default: 10_000,
    desc: "Server-side statement_timeout of every connection; a statement running longer fails with DEADLINE_EXCEEDED (504). 0: none.",
  }),
  DATABASE_MIGRATE_ON_START: bool({
    default: false,
    desc: "Apply pending migrations to PostgreSQL at start-up (under an advisory lock).",
  }),
  DATABASE_MIGRATE_LOCK_TIMEOUT_MS: int({ min: 100, max: 3_600_000 })({
    default: 60_000,
    desc: "How long a migration run waits for another instance's run (the advisory lock) and for table locks before failing.",
  }),
  // lumi:begin embedded
  DATABASE_EMBEDDED_DIR: str({
    default: "",
    desc: "With DATABASE_URL empty, the directory the embedded PGlite store keeps its data in (one process at a time). Empty: in memory, lost at exit.",
    example: ".data/pglite",
  }),
  // lumi:end embedded
};

/** The validated database settings the composition root is built from. */
export interface DatabaseSettings {
  readonly url: string;
  readonly poolMax: number;
  readonly poolIdleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly migrateOnStart: boolean;
  readonly migrateLockTimeoutMs: number;
  // lumi:begin embedded
  readonly embeddedDir: string;
  // lumi:end embedded
}

/** The database keys as envalid returns them. */
export interface CleanDatabaseEnv {
  readonly DATABASE_URL: string;
  readonly DATABASE_POOL_MAX: number;
  readonly DATABASE_POOL_IDLE_TIMEOUT_MS: number;
  readonly DATABASE_CONNECT_TIMEOUT_MS: number;
  readonly DATABASE_STATEMENT_TIMEOUT_MS: number;
  readonly DATABASE_MIGRATE_ON_START: boolean;
  readonly DATABASE_MIGRATE_LOCK_TIMEOUT_MS: number;
  // lumi:begin embedded
  readonly DATABASE_EMBEDDED_DIR: string;
  // lumi:end embedded
}

/** Maps the validated keys to {@link DatabaseSettings}. */
export function databaseSettingsFrom(clean: CleanDatabaseEnv): DatabaseSettings {
  return {
    url: clean.DATABASE_URL,
    poolMax: clean.DATABASE_POOL_MAX,
    poolIdleTimeoutMs: clean.DATABASE_POOL_IDLE_TIMEOUT_MS,
    connectTimeoutMs: clean.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: clean.DATABASE_STATEMENT_TIMEOUT_MS,
    migrateOnStart: clean.DATABASE_MIGRATE_ON_START,
    migrateLockTimeoutMs: clean.DATABASE_MIGRATE_LOCK_TIMEOUT_MS,
    // lumi:begin embedded
    embeddedDir: clean.DATABASE_EMBEDDED_DIR,
    // lumi:end embedded
  };
}

/**
 * A connection URL fit for logs: the password (in the authority or as a
 * `password` parameter) replaced by `[REDACTED]`. Anything that is not a
 * URL is redacted whole.
 */
export function redactDatabaseUrl(value: string): string {
  if (value === "") return "";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "[REDACTED]";
  }
  if (url.password !== "") url.password = "[REDACTED]";
  for (const key of [...url.searchParams.keys()]) {
    if (/^(password|sslpassword|sslkey)$/i.test(key)) url.searchParams.set(key, "[REDACTED]");
  }
  return url.toString().replaceAll("%5BREDACTED%5D", "[REDACTED]");
}
