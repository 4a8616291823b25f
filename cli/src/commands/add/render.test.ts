import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifestOf, stampForTest, testAnswers } from "../../../test/add-fixture.ts";
import { cliRoot } from "../../utils/paths.ts";
import { GENERATOR_NAMES, GENERATORS } from "./generators.ts";
import { createPlop, type PreviewFile, previewPlan } from "./runner.ts";

// Every generator rendered in memory against services stamped from the
// repository's template, with short and longest names: the output must be
// what Biome's formatter, linter and import sorting would leave as it is.

const repoRoot = path.resolve(cliRoot, "..");
const require = createRequire(path.join(repoRoot, "package.json"));
const biomeBin = (() => {
  try {
    return path.join(path.dirname(require.resolve("@biomejs/biome/package.json")), "bin", "biome");
  } catch {
    return undefined;
  }
})();

let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "lumi-add-render-"));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Previews every generator in the service at `root`; returns the files they would write. */
async function previewAll(root: string, name: string): Promise<PreviewFile[]> {
  const manifest = await manifestOf(root);
  const plop = await createPlop(root);
  const files: PreviewFile[] = [];
  for (const generatorName of GENERATOR_NAMES) {
    const generator = GENERATORS[generatorName];
    const argument = generatorName === "adr" ? `Decide about ${name}` : name;
    const plan = await generator.plan(generator.validate(argument), {
      root,
      manifest,
      today: "2030-01-02",
    });
    files.push(...(await previewPlan(plop, plan, root)));
  }
  return files;
}

/** Runs `biome ci` with the repository's formatter and linter settings on `dir`. */
async function biomeCi(dir: string): Promise<{ status: number | null; output: string }> {
  const config = JSON.parse(await readFile(path.join(repoRoot, "biome.json"), "utf8"));
  const { vcs: _vcs, files: _files, $schema: _schema, ...settings } = config;
  const configDir = `${dir}-config`;
  await mkdir(configDir, { recursive: true });
  await writeFile(path.join(configDir, "biome.json"), JSON.stringify(settings));
  const args = ["ci", "--colors=off", "--max-diagnostics=50", `--config-path=${configDir}`, "."];
  const result = spawnSync(biomeBin as string, args, { cwd: dir, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const longService = `s${"-abcdefghi".repeat(6)}`.slice(0, 63);
const services = [
  { label: "a short service name", name: "shop", database: "embedded" },
  { label: "the longest service name, on postgres", name: longService, database: "postgres" },
] as const;
const names = ["a", "zz-top9", "abcdefghijklmnopqrstuvwx", "abcdef-ghijkl-mnopqr-st9"];

describe.runIf(biomeBin !== undefined)("generated code as Biome wants it", () => {
  describe.each(services)("in a service with $label", (service) => {
    it.each(names)(
      "when every generator renders %s then biome ci finds nothing to change",
      async (name) => {
        const root = path.join(work, `${service.name.slice(0, 8)}-${name}`);
        await stampForTest(root, testAnswers(service.name, { database: service.database }));
        const files = await previewAll(root, name);
        const check = `${root}-check`;
        for (const file of files.filter((f) => /\.(ts|json)$/.test(f.path))) {
          await mkdir(path.dirname(path.join(check, file.path)), { recursive: true });
          await writeFile(path.join(check, file.path), file.content);
        }
        const { status, output } = await biomeCi(check);
        expect(output, output).toMatch(/Checked \d+ files/);
        expect(status, output).toBe(0);
      },
    );
  });
});
