// The frozen pilot fixture (stamped at 0.0.2, with a team's edits) upgraded to this lumi's
// template: the upgrade must be clean, and the upgraded service must install, type-check and
// pass its own tests, including the team's route test. Every later release must keep this true.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { run, tail } from "./support.ts";

const fixture = fileURLToPath(new URL("../fixtures/upgrade/orders-api-0.0.2/", import.meta.url));
const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
const env = { ...process.env, CI: "true", NO_COLOR: "1" };
const work = mkdtempSync(path.join(tmpdir(), "lumi-pilot-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it("when the 0.0.2 pilot is upgraded to this release then it merges cleanly and its tests pass", async () => {
  const service = path.join(work, "orders-api");
  cpSync(fixture, service, { recursive: true });
  const upgrade = await run(
    process.execPath,
    [cli, "upgrade", "--directory", service, "--allow-dirty", "--json"],
    { cwd: service, env },
  );
  expect(upgrade.code, tail(upgrade)).toBe(0);
  const report = JSON.parse(upgrade.stdout) as { conflicts: string[] };
  expect(report.conflicts).toEqual([]);
  const read = (file: string) => readFileSync(path.join(service, file), "utf8");
  expect(read("src/service.ts")).toContain("mountOrdersRoutes(router);");
  expect(JSON.parse(read("package.json")).dependencies.nanoid).toBe("^5.1.12");
  expect(read("deploy/values-prod.yaml")).toContain("maxReplicas: 20");

  for (const step of [["install", "--no-audit", "--no-fund"], ["run", "typecheck"], ["test"]]) {
    const result = await run("npm", step, { cwd: service, env });
    expect(result.code, `npm ${step.join(" ")}\n${tail(result)}`).toBe(0);
  }
}, 1_200_000);
