import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../../manifest/index.ts";
import { cliRoot } from "../../utils/paths.ts";
import type { AddResult } from "./index.ts";

// The whole path a team takes: stamp a service with the CLI, run every
// generator, install, type-check, lint, and run the tests the generators
// wrote. Slow (npm install): one test, with a generous timeout.

const cli = path.join(cliRoot, "src", "cli.ts");
let work: string;
let root: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "lumi-add-it-"));
  root = path.join(work, "shop-api");
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs a command in `cwd`; the result, with its output for failure messages. */
function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const { CI: _ci, ...env } = process.env;
  return spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    // PostgreSQL tests skip, rather than fail, when no server is reachable.
    env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Runs the CLI from its sources (`node cli/src/cli.ts …`). */
const lumi = (...args: string[]) => run(process.execPath, [cli, ...args], work);

const outputOf = (result: SpawnSyncReturns<string>) =>
  `exit ${result.status}\n${result.stdout}\n${result.stderr}`.slice(-6000);

describe("lumi add in a freshly stamped service", () => {
  it("when every generator runs then the service type-checks, lints and their tests pass", {
    timeout: 360_000,
  }, async () => {
    const stamped = lumi(
      "new",
      "shop-api",
      "--owner",
      "@acme/shop",
      "--directory",
      root,
      "--no-git",
    );
    expect(stamped.status, outputOf(stamped)).toBe(0);

    const generators = [
      ["route", "payment-methods"],
      ["rpc", "ledger"],
      ["dependency", "pricing-api"],
      ["repository", "orders"],
      ["adr", "Store orders in PostgreSQL"],
    ];
    const results: AddResult[] = [];
    for (const [generator, name] of generators) {
      const added = lumi("--json", "add", generator as string, name as string, "--directory", root);
      expect(added.status, outputOf(added)).toBe(0);
      results.push(JSON.parse(added.stdout) as AddResult);
    }
    const again = lumi("add", "route", "payment-methods", "--directory", root);
    expect(again.status, outputOf(again)).toBe(1);
    expect(again.stderr).toContain("exists; lumi add never overwrites");

    const manifest = JSON.parse(
      await readFile(path.join(root, ".lumi/manifest.json"), "utf8"),
    ) as Manifest;
    expect(manifest.generated.map((entry) => [entry.generator, entry.name])).toEqual([
      ["route", "payment-methods"],
      ["rpc", "ledger"],
      ["dependency", "pricing-api"],
      ["repository", "orders"],
      ["adr", "0002-store-orders-in-postgresql"],
    ]);
    const added = results.flatMap((result) => [...result.created, ...result.generated]);
    for (const file of added) expect(manifest.files[file]?.mode, file).toBe("seeded");

    const install = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], root);
    expect(install.status, outputOf(install)).toBe(0);

    const typecheck = run("npx", ["tsc", "-p", "."], root);
    expect(typecheck.status, outputOf(typecheck)).toBe(0);

    const changed = [...added, ...results.flatMap((result) => result.modified)];
    const lint = run("npx", ["biome", "ci", ...changed.filter((f) => f.endsWith(".ts"))], root);
    expect(lint.status, outputOf(lint)).toBe(0);

    const protoLint = run("npx", ["buf", "lint"], path.join(root, "proto"));
    expect(protoLint.status, outputOf(protoLint)).toBe(0);

    const tests = added.filter((file) => file.endsWith(".test.ts"));
    expect(tests).toHaveLength(4);
    const vitest = run("npx", ["vitest", "run", ...tests], root);
    expect(vitest.status, outputOf(vitest)).toBe(0);
    expect(vitest.stdout).toMatch(/Test Files {2}4 passed \(4\)/);
  });
});
