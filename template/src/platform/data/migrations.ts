import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** One versioned migration: `NNNN_name.up.sql` and, if it can be undone, `NNNN_name.down.sql`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
  /** Undefined when there is no down file: the migration cannot be reverted. */
  readonly down: string | undefined;
  /** SHA-256 of the up script (line endings normalised); recorded when applied. */
  readonly checksum: string;
  /**
   * False when the up script starts with `-- migrate: no-transaction`
   * (`CREATE INDEX CONCURRENTLY`): it then runs outside a transaction and
   * must be a single statement.
   */
  readonly transactional: boolean;
}

/** A migration set or run that cannot proceed; the message says why and what to do. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

const fileName = /^(\d+)_([a-z0-9_]+)\.(up|down)\.sql$/;
const noTransaction = /^\s*--\s*migrate:\s*no-transaction\s*$/m;

/** The checksum recorded for an up script. */
export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql.replaceAll("\r\n", "\n")).digest("hex");
}

/**
 * Reads the migrations of a directory, ordered by version. Every `.sql`
 * file must be named `NNNN_snake_name.up.sql` or `.down.sql`; a version
 * appears once, with an up file and the same name on both files. Anything
 * else is a {@link MigrationError} naming the file.
 */
export function loadMigrations(directory: string | URL): Migration[] {
  const path = typeof directory === "string" ? directory : fileURLToPath(directory);
  const found = new Map<number, { name: string; up?: string; down?: string }>();
  for (const file of readdirSync(path).sort()) {
    if (!file.endsWith(".sql")) continue;
    const match = fileName.exec(file);
    if (match === null) {
      throw new MigrationError(
        `${file}: a migration is named NNNN_snake_name.up.sql or NNNN_snake_name.down.sql`,
      );
    }
    const [, digits = "", name = "", direction] = match;
    const version = Number(digits);
    const entry = found.get(version) ?? { name };
    if (entry.name !== name) {
      throw new MigrationError(`${file}: version ${version} is also named ${entry.name}`);
    }
    const sql = readFileSync(join(path, file), "utf8");
    if (direction === "up") {
      if (entry.up !== undefined) throw new MigrationError(`${file}: version ${version} twice`);
      entry.up = sql;
    } else {
      if (entry.down !== undefined) throw new MigrationError(`${file}: version ${version} twice`);
      entry.down = sql;
    }
    found.set(version, entry);
  }
  return [...found]
    .sort(([a], [b]) => a - b)
    .map(([version, entry]) => {
      if (entry.up === undefined) {
        throw new MigrationError(
          `version ${version} (${entry.name}) has a down file but no up file`,
        );
      }
      return {
        version,
        name: entry.name,
        up: entry.up,
        down: entry.down,
        checksum: checksumOf(entry.up),
        transactional: !noTransaction.test(firstLine(entry.up)),
      };
    });
}

function firstLine(sql: string): string {
  return sql.trimStart().split("\n", 1)[0] ?? "";
}
