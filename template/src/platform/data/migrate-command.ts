import { cleanEnv } from "envalid";
import {
  databaseConfigSchema,
  databaseSettingsFrom,
  redactDatabaseUrl,
} from "./database-config.ts";
import { createMigrator } from "./migrate.ts";
import { loadMigrations, MigrationError } from "./migrations.ts";
import { migrationsDirectory, openDatabase } from "./open-database.ts";

/** Where the command writes: results to `out`, failures to `err`. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Options of {@link runMigrateCommand}. */
export interface MigrateCommandOptions {
  /** The environment to read the `DATABASE_*` keys from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly output: CommandOutput;
  /** Defaults to {@link migrationsDirectory}. */
  readonly directory?: string | URL;
}

/** Which database the command migrates. */
// lumi:begin embedded
const migratedDatabase = `The database is DATABASE_URL (PostgreSQL), else the embedded store in
DATABASE_EMBEDDED_DIR.`;
// lumi:end embedded
// lumi:begin !embedded
// const migratedDatabase = "The database is DATABASE_URL (PostgreSQL).";
// lumi:end !embedded

/** How to call the command. */
export const migrateUsage = `usage: npm run migrate [-- up | down <version> | status]

  up                apply every pending migration (the default)
  down <version>    revert applied migrations above <version> (0 reverts all)
  status            list each migration: applied, pending, checksum_mismatch, unknown

${migratedDatabase} Migrations are read from migrations/.`;

/**
 * The migration command behind `npm run migrate` (and a deploy job's
 * `node dist/migrate.js`): parses `args`, reads the database keys of `env`,
 * runs `up`, `down <version>` or `status`, and returns the exit code:
 * 0 done, 1 a migration or the database failed, 2 a usage or configuration
 * error.
 */
export async function runMigrateCommand(
  args: readonly string[],
  options: MigrateCommandOptions,
): Promise<number> {
  const { output } = options;
  const [command = "up", ...rest] = args;
  if (command === "-h" || command === "--help" || command === "help") {
    output.out(migrateUsage);
    return 0;
  }
  const target = command === "down" ? Number(rest[0]) : 0;
  const arity = command === "down" ? 1 : 0;
  if (
    !["up", "down", "status"].includes(command) ||
    rest.length !== arity ||
    !Number.isSafeInteger(target)
  ) {
    output.err(migrateUsage);
    return 2;
  }

  const issues: string[] = [];
  const clean = cleanEnv(options.env, databaseConfigSchema, {
    reporter: ({ errors }) => {
      for (const [key, error] of Object.entries(errors)) issues.push(`${key} ${error?.message}`);
    },
  });
  if (issues.length > 0) {
    output.err(`invalid configuration: ${issues.join("; ")}`);
    return 2;
  }
  const settings = databaseSettingsFrom(clean);
  // lumi:begin embedded
  if (settings.url === "" && settings.embeddedDir === "") {
    output.err(
      "nothing to migrate: DATABASE_URL is empty and the embedded store is in memory (it migrates itself at start). Set DATABASE_URL or DATABASE_EMBEDDED_DIR.",
    );
    return 2;
  }

  const where =
    settings.url === ""
      ? `embedded store ${settings.embeddedDir}`
      : redactDatabaseUrl(settings.url);
  // lumi:end embedded
  // lumi:begin !embedded
  // if (settings.url === "") {
  //   output.err("nothing to migrate: DATABASE_URL is empty. Set it to the PostgreSQL to migrate.");
  //   return 2;
  // }
  // const where = redactDatabaseUrl(settings.url);
  // lumi:end !embedded
  const db = openDatabase(settings, { applicationName: "lumi-migrate" });
  const pad = (version: number) => String(version).padStart(4, "0");
  try {
    const migrator = createMigrator({
      db,
      migrations: loadMigrations(options.directory ?? migrationsDirectory),
      lockTimeoutMs: settings.migrateLockTimeoutMs,
    });
    if (command === "status") {
      output.out(`migrations of ${where}:`);
      for (const line of await migrator.status()) {
        const when = line.appliedAt === undefined ? "" : `  ${line.appliedAt.toISOString()}`;
        output.out(`  ${pad(line.version)}_${line.name}  ${line.state}${when}`);
      }
    } else if (command === "down") {
      const reverted = await migrator.down(target);
      for (const m of reverted) output.out(`reverted ${pad(m.version)}_${m.name}`);
      output.out(`${where}: ${reverted.length} migration(s) reverted (target version ${target})`);
    } else {
      const applied = await migrator.up();
      for (const m of applied) output.out(`applied ${pad(m.version)}_${m.name}`);
      output.out(`${where}: ${applied.length} migration(s) applied`);
    }
    return 0;
  } catch (error) {
    output.err(`migrate ${command} failed: ${describe(error)}`);
    return 1;
  } finally {
    await db.close().catch(() => {});
  }
}

/** A migration error's own message; for anything else, the database's words too. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof MigrationError || !(error.cause instanceof Error)) return error.message;
  const code = (error.cause as { code?: unknown }).code;
  return `${error.message} (${error.cause.message || String(code ?? error.cause.name)})`;
}
