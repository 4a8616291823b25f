import { cleanEnv } from "envalid";
import { describe, expect, it } from "vitest";
import {
  databaseConfigSchema,
  databaseSettingsFrom,
  redactDatabaseUrl,
} from "./database-config.ts";

describe("redactDatabaseUrl", () => {
  it.each([
    ["postgres://lumi:s3cr%40t@db:5432/lumi", "postgres://lumi:[REDACTED]@db:5432/lumi"],
    ["postgres://lumi@db/lumi", "postgres://lumi@db/lumi"],
    [
      "postgresql://db/lumi?password=pw&sslmode=require",
      "postgresql://db/lumi?password=[REDACTED]&sslmode=require",
    ],
    ["not a url with password=pw", "[REDACTED]"],
    ["", ""],
  ])("when the URL is %s then the log shows %s", (url, shown) => {
    expect(redactDatabaseUrl(url)).toBe(shown);
  });
});

describe("databaseConfigSchema", () => {
  const load = (env: Record<string, string>) =>
    databaseSettingsFrom(
      cleanEnv(env, databaseConfigSchema, {
        reporter: ({ errors }) => {
          if (Object.keys(errors).length > 0) throw new Error(Object.keys(errors).join(","));
        },
      }),
    );

  it("when nothing is set then the documented defaults apply (no URL: no PostgreSQL)", () => {
    expect(load({})).toEqual({
      url: "",
      poolMax: 10,
      poolIdleTimeoutMs: 10_000,
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 10_000,
      migrateOnStart: false,
      migrateLockTimeoutMs: 60_000,
      // lumi:begin embedded
      embeddedDir: "",
      // lumi:end embedded
    });
  });

  it("when DATABASE_URL is not a postgres URL then it is refused", () => {
    expect(() => load({ DATABASE_URL: "mysql://db/x" })).toThrow("DATABASE_URL");
    expect(load({ DATABASE_URL: "postgresql://db/x" }).url).toBe("postgresql://db/x");
  });
});
