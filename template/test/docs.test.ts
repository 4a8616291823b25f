import { readFileSync } from "node:fs";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/platform/config/index.ts";
import { errorCatalogue, errorCodes } from "../src/platform/errors/index.ts";
import { docUrl } from "./docs-path.ts";

const read = (name: string) => readFileSync(docUrl(name), "utf8");

describe("docs stay true to the code", () => {
  const errorsDoc = read("errors.md");
  const rows = new Map(
    [...errorsDoc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|\s*([a-z_]+)\s*\|/gm)].map((m) => [
      m[1],
      { status: Number(m[2]), connect: m[3] },
    ]),
  );

  it.each(errorCodes)(
    "when the catalogue has %s then docs/errors.md documents it with its status",
    (code) => {
      const row = rows.get(code);
      expect(row, `docs/errors.md has no row for ${code}`).toBeDefined();
      expect(row?.status).toBe(errorCatalogue[code].status);
      const connect = Code[errorCatalogue[code].connect].replace(/(?<!^)[A-Z]/g, (c) => `_${c}`);
      expect(row?.connect).toBe(connect.toLowerCase());
    },
  );

  it("when docs/errors.md lists a code then the catalogue has it", () => {
    expect([...rows.keys()].sort()).toEqual([...errorCodes].sort());
  });

  it("when a config key exists then docs/configuration.md names it", () => {
    const configDoc = read("configuration.md");
    const missing = Object.keys(configSchema).filter((key) => !configDoc.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });
});
