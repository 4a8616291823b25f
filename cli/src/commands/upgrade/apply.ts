import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import {
  BASE_DIR,
  hashContent,
  type Manifest,
  type ManifestFile,
  writeManifest,
} from "../../manifest/index.ts";
import { writeFiles } from "../../utils/files.ts";
import type { UpgradePlan } from "./plan.ts";

/**
 * Carries out a plan: writes replaced, merged, conflicted and added files,
 * deletes removed ones, refreshes the merge bases under .lumi/base, and
 * records the new version and hashes in the manifest.
 */
export async function applyPlan(
  root: string,
  manifest: Manifest,
  plan: UpgradePlan,
  options: { force: boolean },
): Promise<Manifest> {
  const files: Record<string, ManifestFile> = {};
  for (const step of plan.files) {
    const write =
      step.action === "replace" ||
      step.action === "merge" ||
      step.action === "conflict" ||
      step.action === "add" ||
      (step.action === "blocked" && options.force) ||
      (step.renamedFrom !== undefined && step.action !== "blocked");
    const written = write ? step.content : undefined;
    if (written !== undefined) await writeFiles(root, [{ path: step.path, content: written }]);
    if (step.renamedFrom !== undefined) {
      await rm(path.join(root, step.renamedFrom), { force: true });
      await rm(path.join(root, BASE_DIR, step.renamedFrom), { force: true });
    }
    if (step.action === "delete") {
      await rm(path.join(root, step.path), { force: true });
      await rm(path.join(root, BASE_DIR, step.path), { force: true });
      continue;
    }
    if (step.action === "keep") {
      await rm(path.join(root, BASE_DIR, step.path), { force: true });
      continue;
    }
    const previous = manifest.files[step.renamedFrom ?? step.path];
    if (step.action === "skip" && step.mode === "seeded") {
      if (previous !== undefined) files[step.path] = { mode: step.mode, hash: previous.hash };
      continue;
    }
    if (step.mode === "merged" && step.pristine !== undefined) {
      await writeFiles(root, [{ path: `${BASE_DIR}/${step.path}`, content: step.pristine }]);
    }
    // The hash of what lumi last wrote: a file left alone keeps the hash it had.
    const hash =
      written !== undefined
        ? hashContent(written)
        : (previous?.hash ??
          hashContent((await readFile(path.join(root, step.path)).catch(() => undefined)) ?? ""));
    files[step.path] = { mode: step.mode, hash };
  }
  const next: Manifest = { ...manifest, templateVersion: plan.to, files };
  await writeManifest(root, next);
  return next;
}
