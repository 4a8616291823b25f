import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { BASE_DIR, hashContent, type Manifest, type OwnershipMode } from "../../manifest/index.ts";
import { mergeFile } from "../../merge/index.ts";
import { type RenderedFile, renderTemplate, type TemplateSource } from "../../template/index.ts";

/** What `lumi upgrade` does with one file. */
export type UpgradeAction =
  /** a managed file the template changed, not edited locally: replaced */
  | "replace"
  /** a merged file both sides changed, merged without conflict */
  | "merge"
  /** a merged file both sides changed where they overlap: written with conflict markers */
  | "conflict"
  /** a managed file edited locally that the template changed: stops the upgrade unless --force */
  | "blocked"
  /** a seeded file, or a file the team removed: never touched */
  | "skip"
  /** a file the template added */
  | "add"
  /** a file the template removed, unchanged locally */
  | "delete"
  /** a file the template removed that was edited locally: kept, no longer tracked */
  | "keep"
  /** nothing to do */
  | "unchanged";

/** One file's step in an upgrade plan. */
export interface PlannedFile {
  readonly path: string;
  readonly action: UpgradeAction;
  /** The ownership mode in the new version (the old one for removed files). */
  readonly mode: OwnershipMode;
  /** The path the file had before a template rename. */
  readonly renamedFrom?: string;
  /** Why, in a few words, for the report. */
  readonly reason: string;
  /** What will be written (absent for skip, delete, keep, unchanged, blocked). */
  readonly content?: Buffer;
  /** The new pristine render: the merge base of the next upgrade (merged files). */
  readonly pristine?: Buffer;
  /** The local content, for diffs of blocked files. */
  readonly local?: Buffer;
  /** Conflict count and where, for conflict. */
  readonly conflicts?: readonly { startLine: number; endLine: number; key?: string }[];
}

/** An upgrade plan: what would happen to every file, computed without writing. */
export interface UpgradePlan {
  readonly from: string;
  readonly to: string;
  readonly files: readonly PlannedFile[];
  readonly rendered: readonly RenderedFile[];
}

const readIfExists = async (file: string): Promise<Buffer | undefined> =>
  existsSync(file) ? readFile(file) : undefined;

/** Plans the upgrade of the service at `root` to `source`; reads, never writes. */
export async function planUpgrade(
  root: string,
  manifest: Manifest,
  source: TemplateSource,
): Promise<UpgradePlan> {
  const rendered = renderTemplate(source, manifest.answers);
  const next = new Map(rendered.map((file) => [file.path, file]));
  const label = `template ${source.version}`;
  // A renamed file keeps its local edits: the old path is planned as the new one.
  const renames = new Map(
    source.meta.renames
      .filter((r) => manifest.files[r.from] !== undefined && manifest.files[r.to] === undefined)
      .map((r) => [r.to, r.from]),
  );
  const planned: PlannedFile[] = [];
  const handled = new Set<string>();

  for (const file of rendered) {
    const from = renames.get(file.path);
    const oldPath = from ?? file.path;
    handled.add(oldPath);
    const entry = manifest.files[oldPath];
    const local = await readIfExists(path.join(root, oldPath));
    const base =
      entry?.mode === "merged" ? await readIfExists(path.join(root, BASE_DIR, oldPath)) : undefined;
    const step = planFile({ file, entry, local, base, label });
    if (from === undefined) {
      planned.push(step);
      continue;
    }
    // A moved file is written at its new path even when its content stays as it is.
    planned.push({ ...step, renamedFrom: from, content: step.content ?? local ?? file.content });
  }
  const generated = new Set(manifest.generated.flatMap((entry) => entry.files));
  for (const [oldPath, entry] of Object.entries(manifest.files)) {
    if (handled.has(oldPath) || next.has(oldPath)) continue;
    if (generated.has(oldPath)) {
      planned.push({ path: oldPath, mode: entry.mode, action: "skip", reason: "seeded: yours" });
      continue;
    }
    const local = await readIfExists(path.join(root, oldPath));
    const pristine =
      entry.mode === "merged" ? await readIfExists(path.join(root, BASE_DIR, oldPath)) : undefined;
    const untouched =
      local === undefined ||
      (entry.mode === "merged" && pristine !== undefined
        ? local.equals(pristine)
        : hashContent(local) === entry.hash);
    const removable = entry.mode !== "seeded" && untouched;
    planned.push({
      path: oldPath,
      mode: entry.mode,
      action: removable ? "delete" : entry.mode === "seeded" ? "skip" : "keep",
      reason: removable
        ? "removed by the template"
        : entry.mode === "seeded"
          ? "removed by the template; yours, kept and no longer tracked"
          : "removed by the template but edited locally: kept, no longer tracked",
      ...(local === undefined ? {} : { local }),
    });
  }
  planned.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { from: manifest.templateVersion, to: source.version, files: planned, rendered };
}

interface FileInputs {
  readonly file: RenderedFile;
  readonly entry: Manifest["files"][string] | undefined;
  readonly local: Buffer | undefined;
  readonly base: Buffer | undefined;
  readonly label: string;
}

/** Decides one file present in the new version. */
function planFile({ file, entry, local, base, label }: FileInputs): PlannedFile {
  const { path: name, mode, content } = file;
  const common = { path: name, mode };
  const step = (
    action: UpgradeAction,
    reason: string,
    extra: Partial<PlannedFile> = {},
  ): PlannedFile => ({ ...common, action, reason, ...extra });
  const write = { content, pristine: content };
  const merge = (from: Buffer, mine: Buffer, reason: string) =>
    mergeStep(common, from, mine, content, label, reason);
  const empty = Buffer.alloc(0);

  if (entry === undefined) {
    if (local === undefined) return step("add", "new in the template", write);
    if (local.equals(content)) return step("unchanged", "already as the template has it", write);
    if (mode === "seeded") return step("skip", "new in the template, but a file of yours is there");
    if (mode === "managed") {
      return step("blocked", "new in the template, but a different file of yours is there", {
        content,
        local,
      });
    }
    return merge(empty, local, "new in the template; merged with the file of yours that is there");
  }
  if (mode === "seeded") return step("skip", "seeded: yours");
  if (local === undefined)
    return step("skip", "removed locally: left removed", { pristine: content });
  if (local.equals(content)) return step("unchanged", "up to date", { pristine: content });
  if (mode === "managed") {
    return hashContent(local) !== entry.hash
      ? step("blocked", "managed, but edited locally", { content, local })
      : step("replace", "managed: changed by the template", write);
  }
  // merged
  if (base === undefined)
    return merge(empty, local, "merged without a base (missing in .lumi/base)");
  if (base.equals(content)) {
    return step("unchanged", "the template did not change it", { pristine: content });
  }
  if (base.equals(local)) {
    return step("replace", "merged: unchanged locally, taken from the template", write);
  }
  return merge(base, local, "merged: changed on both sides");
}

/** A 3-way merge step. */
function mergeStep(
  common: { path: string; mode: OwnershipMode },
  base: Buffer,
  local: Buffer,
  theirs: Buffer,
  label: string,
  reason: string,
): PlannedFile {
  const result = mergeFile({
    path: common.path,
    base: base.toString("utf8"),
    ours: local.toString("utf8"),
    theirs: theirs.toString("utf8"),
    theirsLabel: label,
  });
  if (result.unchanged)
    return { ...common, action: "unchanged", reason: "already merged", pristine: theirs };
  const conflicted = result.conflicts.length > 0;
  return {
    ...common,
    action: conflicted ? "conflict" : "merge",
    reason: conflicted ? `${result.conflicts.length} conflict(s)` : reason,
    content: Buffer.from(result.content),
    pristine: theirs,
    conflicts: result.conflicts,
  };
}
