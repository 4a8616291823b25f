import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import semver from "semver";
import { LumiCliError } from "../../errors/index.ts";
import { type Manifest, readManifest } from "../../manifest/index.ts";
import { resolveTemplate } from "../../template/index.ts";
import { dirtyPaths, isGitRepository } from "../../utils/git.ts";
import { createOutput, type GlobalOptions, type Output } from "../../utils/output.ts";
import { applyPlan } from "./apply.ts";
import { lineDiff } from "./diff.ts";
import { type PlannedFile, planUpgrade, type UpgradePlan } from "./plan.ts";

/** The options of `lumi upgrade`. */
export interface UpgradeOptions extends GlobalOptions {
  readonly directory?: string;
  readonly plan?: boolean;
  readonly force?: boolean;
  readonly allowDirty?: boolean;
  readonly template?: string;
}

/** What `lumi upgrade` reports (also its --json output). */
export interface UpgradeReport {
  readonly from: string;
  readonly to: string;
  readonly planOnly: boolean;
  readonly files: readonly Omit<PlannedFile, "content" | "pristine" | "local">[];
  readonly conflicts: readonly string[];
  readonly unresolved: readonly string[];
}

const CONFLICT_START = /^<{7} local$/m;

/** Merged files that still hold conflict markers from an earlier upgrade. */
async function unresolvedConflicts(root: string, manifest: Manifest): Promise<string[]> {
  const found: string[] = [];
  for (const [name, entry] of Object.entries(manifest.files)) {
    if (entry.mode !== "merged") continue;
    const text = await readFile(path.join(root, name), "utf8").catch(() => "");
    if (CONFLICT_START.test(text)) found.push(name);
  }
  return found;
}

const SYMBOL: Record<PlannedFile["action"], string> = {
  replace: "replace ",
  merge: "merge   ",
  conflict: "CONFLICT",
  blocked: "BLOCKED ",
  skip: "skip    ",
  add: "add     ",
  delete: "delete  ",
  keep: "keep    ",
  unchanged: "        ",
};

/** Prints the plan, one line per file that changes or needs attention. */
function printPlan(output: Output, plan: UpgradePlan, planOnly: boolean): void {
  const shown = plan.files.filter(
    (file) =>
      file.action !== "unchanged" && !(file.action === "skip" && file.reason === "seeded: yours"),
  );
  output.text(
    `${planOnly ? "plan: " : ""}upgrade ${plan.from} → ${plan.to}: ${shown.length} file(s) to change or review`,
  );
  for (const file of shown) {
    const style = file.action === "conflict" || file.action === "blocked" ? "red" : "reset";
    const moved = file.renamedFrom === undefined ? "" : ` (renamed from ${file.renamedFrom})`;
    output.text(
      `  ${output.style(style, SYMBOL[file.action])} ${file.path}${moved} — ${file.reason}`,
    );
  }
}

/** Runs `lumi upgrade`; returns the report. Exits non-zero (by throwing) on conflicts or drift. */
export async function runUpgrade(options: UpgradeOptions): Promise<UpgradeReport> {
  const output = createOutput(options);
  const root = path.resolve(options.directory ?? ".");
  const manifest = await readManifest(root);
  const source = await resolveTemplate({ dir: options.template });
  const planOnly = options.plan === true;
  if (
    semver.valid(manifest.templateVersion) &&
    semver.gt(manifest.templateVersion, source.version)
  ) {
    throw new LumiCliError(
      "state",
      `the service is at template ${manifest.templateVersion}, newer than this lumi (${source.version}); use a newer lumi`,
    );
  }
  if (!planOnly && options.allowDirty !== true && isGitRepository(root)) {
    const dirty = dirtyPaths(root);
    if (dirty.length > 0) {
      throw new LumiCliError(
        "state",
        `the git tree has ${dirty.length} uncommitted change(s); commit or stash them first, or pass --allow-dirty`,
        { details: dirty.slice(0, 20).map((p) => `  ${p}`) },
      );
    }
  }
  const unresolved = await unresolvedConflicts(root, manifest);
  const plan = await planUpgrade(root, manifest, source);
  const conflicts = plan.files.filter((f) => f.action === "conflict").map((f) => f.path);
  const blocked = plan.files.filter((f) => f.action === "blocked");
  const report: UpgradeReport = {
    from: plan.from,
    to: plan.to,
    planOnly,
    files: plan.files.map(({ content: _c, pristine: _p, local: _l, ...rest }) => rest),
    conflicts,
    unresolved,
  };
  printPlan(output, plan, planOnly);
  output.result(report);
  if (planOnly) return report;
  if (unresolved.length > 0) {
    throw new LumiCliError(
      "failed",
      "unresolved conflict markers from an earlier upgrade; resolve them first:",
      {
        details: unresolved.map((p) => `  ${p}`),
      },
    );
  }
  if (blocked.length > 0 && options.force !== true) {
    const diffs = blocked.flatMap((f) =>
      lineDiff(f.path, f.local?.toString("utf8") ?? "", f.content?.toString("utf8") ?? ""),
    );
    throw new LumiCliError(
      "failed",
      `${blocked.length} managed file(s) edited locally; nothing written. Move the edits out of them (or upstream), or pass --force to replace them:`,
      { details: diffs },
    );
  }
  await applyPlan(root, manifest, plan, { force: options.force === true });
  if (conflicts.length > 0) {
    throw new LumiCliError(
      "failed",
      `upgraded to ${plan.to} with ${conflicts.length} conflicted file(s); resolve the <<<<<<< markers, then commit:`,
      { details: conflicts.map((p) => `  ${p}`) },
    );
  }
  output.info(
    plan.from === plan.to &&
      plan.files.every((f) => f.action === "unchanged" || f.action === "skip")
      ? `already at ${plan.to}: nothing to do`
      : `upgraded ${plan.from} → ${plan.to}`,
  );
  return report;
}

/** Registers `lumi upgrade` on the program. */
export function registerUpgrade(program: Command): void {
  program
    .command("upgrade")
    .description("bring the service to this lumi's template version (3-way merge)")
    .option("--directory <dir>", "the service (default: the current directory)")
    .option("--plan", "print what would happen to each file; write nothing")
    .option("--dry-run", "same as --plan")
    .option("--force", "replace managed files even when edited locally")
    .option("--allow-dirty", "run on a git tree with uncommitted changes")
    .option("--template <dir>", "upgrade to this template directory instead of the bundled one")
    .action(async (options: UpgradeOptions & { dryRun?: boolean }, command: Command) => {
      const all = { ...command.optsWithGlobals(), ...options };
      await runUpgrade({ ...all, plan: all.plan === true || all.dryRun === true });
    });
}
