// Upgrades the committed pilot fixture: a service stamped by lumi 0.0.2 with the edits a team
// makes (a route, a Helm value, a dependency, a merged file edited where the template changes it
// too), against a simulated newer template. The fixture stays frozen: later releases must keep
// upgrading it.
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packTemplate } from "../scripts/pack-template.ts";
import { readTree } from "../src/template/index.ts";
import { run, tail } from "./e2e/support.ts";

const fixture = fileURLToPath(new URL("./fixtures/upgrade/orders-api-0.0.2/", import.meta.url));
const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const NEXT = "0.0.3";
const env = { ...process.env, NO_COLOR: "1", CI: "true" };

let work = "";
let template = "";

/** Edits a file of the simulated template. */
function edit(file: string, change: (text: string) => string): void {
  const target = path.join(template, file);
  const before = readFileSync(target, "utf8");
  const after = change(before);
  expect(after, `${file} edit applies`).not.toBe(before);
  writeFileSync(target, after);
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "lumi-upgrade-"));
  template = path.join(work, "template");
  await packTemplate(template, NEXT);
  // What the simulated release changes, one case per ownership rule.
  edit("Dockerfile", (t) => `${t}LABEL org.opencontainers.image.vendor="acme"\n`);
  edit("package.json", (t) =>
    t.replace(
      '"test": "vitest run",',
      '"test": "vitest run",\n    "test:changed": "vitest run --changed",',
    ),
  );
  edit("deploy/values-prod.yaml", (t) =>
    t.replace("targetCPUUtilizationPercentage: 70", "targetCPUUtilizationPercentage: 65"),
  );
  edit("vitest.config.ts", (t) => t.replace("testTimeout: 20_000", "testTimeout: 25_000"));
  edit("src/app/items/items-service.ts", (t) => `${t}\n// A seeded file the template changed.\n`);
  writeFileSync(
    path.join(template, "docs/upgrading.md"),
    "# Upgrading\n\nRun `npx lumi upgrade`.\n",
  );
  rmSync(path.join(template, "docs/tracing.md"));
  cpSync(path.join(template, "docs/ops.md"), path.join(template, "docs/operations.md"));
  rmSync(path.join(template, "docs/ops.md"));
  edit("lumi-template.json", (t) =>
    t.replace(
      '"exclude": [',
      '"renames": [{ "from": "docs/ops.md", "to": "docs/operations.md" }],\n  "exclude": [',
    ),
  );
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fresh git-committed copy of the fixture. */
async function service(name: string): Promise<string> {
  const dir = path.join(work, name);
  cpSync(fixture, dir, { recursive: true });
  for (const args of [
    ["init", "--quiet", "--initial-branch=main"],
    ["add", "--all"],
    ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "fixture"],
  ]) {
    const result = await run("git", args, { cwd: dir });
    expect(result.code, tail(result)).toBe(0);
  }
  return dir;
}

const lumi = (dir: string, ...args: string[]) =>
  run(process.execPath, [cli, ...args, "--directory", dir, "--template", template], {
    cwd: dir,
    env,
  });

/** sha256 of every file (but .git), to compare a tree before and after. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = await readTree(dir);
  return new Map(
    [...files]
      .filter(([name]) => !name.startsWith(".git/"))
      .map(([name, content]) => [name, createHash("sha256").update(content).digest("hex")]),
  );
}

interface PlanJson {
  from: string;
  to: string;
  files: { path: string; action: string; renamedFrom?: string }[];
  conflicts: string[];
}

describe("lumi upgrade of the 0.0.2 pilot fixture", () => {
  let dir = "";
  let plan: PlanJson;
  let before: Map<string, string>;
  let upgrade: Awaited<ReturnType<typeof lumi>>;

  beforeAll(async () => {
    dir = await service("pilot");
    before = await snapshot(dir);
    const planned = await lumi(dir, "upgrade", "--plan", "--json");
    expect(planned.code, tail(planned)).toBe(0);
    plan = JSON.parse(planned.stdout) as PlanJson;
    expect(await snapshot(dir)).toEqual(before);
    upgrade = await lumi(dir, "upgrade");
  }, 60_000);

  const actionOf = (file: string) => plan.files.find((f) => f.path === file)?.action;

  it("when planned then each simulated change gets its action and nothing is written", () => {
    expect(plan).toMatchObject({ from: "0.0.2", to: NEXT });
    expect(actionOf("Dockerfile")).toBe("replace");
    expect(actionOf("package.json")).toBe("merge");
    expect(actionOf("deploy/values-prod.yaml")).toBe("merge");
    expect(actionOf("vitest.config.ts")).toBe("conflict");
    expect(actionOf("src/app/items/items-service.ts")).toBe("skip");
    expect(actionOf("docs/upgrading.md")).toBe("add");
    expect(actionOf("docs/tracing.md")).toBe("delete");
    expect(plan.files.find((f) => f.path === "docs/operations.md")?.renamedFrom).toBe(
      "docs/ops.md",
    );
    expect(plan.conflicts).toEqual(["vitest.config.ts"]);
  });

  it("when upgraded with a conflict then it exits 1 and names the conflicted file", () => {
    expect(upgrade.code, tail(upgrade)).toBe(1);
    expect(upgrade.stderr).toContain("conflicted file");
    expect(upgrade.stderr).toContain("vitest.config.ts");
  });

  it("when upgraded then exactly the files the plan named changed", async () => {
    const after = await snapshot(dir);
    const changed = new Set(
      [...new Set([...before.keys(), ...after.keys()])].filter(
        (file) => !file.startsWith(".lumi/") && before.get(file) !== after.get(file),
      ),
    );
    const expected = new Set(
      plan.files.flatMap((f) => {
        if (["replace", "merge", "conflict", "add", "delete"].includes(f.action)) {
          return f.renamedFrom === undefined ? [f.path] : [f.path, f.renamedFrom];
        }
        return f.renamedFrom === undefined ? [] : [f.path, f.renamedFrom];
      }),
    );
    expect(
      [...changed].sort(),
      JSON.stringify(plan.files.filter((f) => f.action !== "unchanged" && f.action !== "skip")),
    ).toEqual([...expected].sort());
  });

  it("when merged then the template's changes and the team's edits are both there", () => {
    const read = (file: string) => readFileSync(path.join(dir, file), "utf8");
    const pkg = JSON.parse(read("package.json"));
    expect(pkg.dependencies.nanoid).toBe("^5.1.12");
    expect(pkg.scripts["test:changed"]).toBe("vitest run --changed");
    const values = read("deploy/values-prod.yaml");
    expect(values).toContain("maxReplicas: 20");
    expect(values).toContain("targetCPUUtilizationPercentage: 65");
    expect(values).toContain("# At least three pods");
    expect(read("src/service.ts")).toContain("mountOrdersRoutes(router);");
    expect(read("src/app/orders/orders-http-handler.ts")).toContain("nanoid");
    expect(read("Dockerfile")).toContain('image.vendor="acme"');
    expect(read("src/app/items/items-service.ts")).not.toContain(
      "A seeded file the template changed",
    );
  });

  it("when both sides changed a line then it carries standard markers with both versions", () => {
    const text = readFileSync(path.join(dir, "vitest.config.ts"), "utf8");
    expect(text).toMatch(
      new RegExp(
        `<<<<<<< local\\n.*testTimeout: 30_000,\\n=======\\n.*testTimeout: 25_000,\\n>>>>>>> template ${NEXT.replaceAll(".", "\\.")}\\n`,
      ),
    );
  });

  it("when the manifest is read then it records the new version", () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, ".lumi/manifest.json"), "utf8"));
    expect(manifest.templateVersion).toBe(NEXT);
    expect(manifest.files["docs/operations.md"]).toBeDefined();
    expect(manifest.files["docs/ops.md"]).toBeUndefined();
    expect(manifest.files["docs/tracing.md"]).toBeUndefined();
  });

  it("when run again before the conflict is resolved then it refuses, and after, it changes nothing", async () => {
    const commit = ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-am", "x"];
    await run("git", ["add", "--all"], { cwd: dir });
    await run("git", commit, { cwd: dir });
    const again = await lumi(dir, "upgrade");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("unresolved conflict markers");
    const file = path.join(dir, "vitest.config.ts");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(/<<<<<<< local\n(.*\n)=======\n.*\n>>>>>>> .*\n/, "$1"),
    );
    await run("git", ["add", "--all"], { cwd: dir });
    await run("git", commit, { cwd: dir });
    const resolved = await snapshot(dir);
    const third = await lumi(dir, "upgrade");
    expect(third.code, tail(third)).toBe(0);
    expect(third.stderr).toContain("nothing to do");
    expect(await snapshot(dir)).toEqual(resolved);
  }, 30_000);
});

describe("lumi upgrade guards", () => {
  it("when a managed file was edited locally then it stops with a diff and writes nothing, and --force replaces it", async () => {
    const dir = await service("drift");
    const dockerfile = path.join(dir, "Dockerfile");
    writeFileSync(dockerfile, `${readFileSync(dockerfile, "utf8")}# local tweak\n`);
    await run(
      "git",
      ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-am", "tweak"],
      { cwd: dir },
    );
    const before = await snapshot(dir);
    const blocked = await lumi(dir, "upgrade");
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("edited locally");
    expect(blocked.stderr).toContain("- # local tweak");
    expect(await snapshot(dir)).toEqual(before);
    const forced = await lumi(dir, "upgrade", "--force");
    expect(forced.code).toBe(1); // the vitest.config.ts conflict remains
    expect(readFileSync(dockerfile, "utf8")).not.toContain("# local tweak");
  }, 30_000);

  it("when the git tree is dirty then it refuses unless --allow-dirty", async () => {
    const dir = await service("dirty");
    writeFileSync(path.join(dir, "notes.txt"), "wip\n");
    const refused = await lumi(dir, "upgrade");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("uncommitted");
    const allowed = await lumi(dir, "upgrade", "--allow-dirty", "--plan");
    expect(allowed.code).toBe(0);
  }, 30_000);
});
