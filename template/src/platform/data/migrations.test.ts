import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checksumOf, loadMigrations, MigrationError } from "./migrations.ts";
import { migrationsDirectory } from "./open-database.ts";

const dirs: string[] = [];
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "lumi-migrations-"));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("loadMigrations", () => {
  it("when files are valid then migrations come ordered by version with checksums", () => {
    const dir = dirWith({
      "0010_second.up.sql": "SELECT 2;",
      "0002_first.up.sql": "SELECT 1;\r\n",
      "0002_first.down.sql": "SELECT -1;",
      "README.md": "ignored",
    });
    const migrations = loadMigrations(dir);
    expect(migrations.map((m) => [m.version, m.name, m.down])).toEqual([
      [2, "first", "SELECT -1;"],
      [10, "second", undefined],
    ]);
    expect(migrations[0]?.checksum).toBe(checksumOf("SELECT 1;\n"));
    expect(migrations[0]?.transactional).toBe(true);
  });

  it("when the first line says no-transaction then the migration is not transactional", () => {
    const dir = dirWith({
      "0001_x.up.sql": "-- migrate: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);",
    });
    expect(loadMigrations(dir)[0]?.transactional).toBe(false);
  });

  it.each([
    [{ "1-bad.up.sql": "" }, /1-bad.up.sql: a migration is named/],
    [{ "0001_a.up.sql": "", "0001_b.up.sql": "" }, /version 1 is also named a/],
    [{ "0001_a.down.sql": "" }, /version 1 \(a\) has a down file but no up file/],
  ])("when the files are %j then loading fails naming the problem", (files, message) => {
    expect(() => loadMigrations(dirWith(files))).toThrow(MigrationError);
    expect(() => loadMigrations(dirWith(files))).toThrow(message);
  });

  it("when the shipped directory is read then 0001_create_items has both directions", () => {
    const [first] = loadMigrations(migrationsDirectory);
    expect(first).toMatchObject({ version: 1, name: "create_items", transactional: true });
    expect(first?.up).toContain("CREATE TABLE items");
    expect(first?.down).toContain("DROP TABLE items");
  });
});
