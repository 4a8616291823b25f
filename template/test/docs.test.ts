import { readFileSync } from "node:fs";
// lumi:begin rpc
import { Code } from "@connectrpc/connect";
// lumi:end rpc
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/platform/config/index.ts";
import { errorCatalogue, errorCodes } from "../src/platform/errors/index.ts";
// lumi:begin rpc
import { connectCodes } from "../src/platform/rpc/errors.ts";
// lumi:end rpc
import { docUrl } from "./docs-path.ts";

const read = (name: string) => readFileSync(docUrl(name), "utf8");

describe("docs stay true to the code", () => {
  const errorsDoc = read("errors.md");
  const rows = new Map(
    [...errorsDoc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]),
  );
  // lumi:begin rpc
  const connectRows = new Map(
    [...errorsDoc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*([a-z_]+)\s*\|/gm)].map((m) => [m[1], m[2]]),
  );
  // lumi:end rpc

  it.each(errorCodes)(
    "when the catalogue has %s then docs/errors.md documents it with its status",
    (code) => {
      expect(rows.get(code), `docs/errors.md has no row for ${code}`).toBe(
        errorCatalogue[code].status,
      );
    },
  );
  // lumi:begin rpc

  it.each(errorCodes)(
    "when the catalogue has %s then docs/errors.md documents its Connect code",
    (code) => {
      const connect = Code[connectCodes[code]].replace(/(?<!^)[A-Z]/g, (c) => `_${c}`);
      expect(connectRows.get(code), `docs/errors.md has no Connect code for ${code}`).toBe(
        connect.toLowerCase(),
      );
    },
  );
  // lumi:end rpc

  it("when docs/errors.md lists a code then the catalogue has it", () => {
    expect([...rows.keys()].sort()).toEqual([...errorCodes].sort());
  });

  it("when a config key exists then docs/configuration.md names it", () => {
    const configDoc = read("configuration.md");
    const missing = Object.keys(configSchema).filter((key) => !configDoc.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });
});
