import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import {
  type Answers,
  BASE_DIR,
  hashContent,
  type Manifest,
  type ManifestFile,
  writeManifest,
} from "../../manifest/index.ts";
import { type RenderedFile, renderTemplate, type TemplateSource } from "../../template/index.ts";
import { generateProtoCode } from "../../utils/codegen.ts";
import { writeFiles } from "../../utils/files.ts";

/** What `stampService` wrote. */
export interface StampResult {
  readonly files: readonly RenderedFile[];
  readonly manifest: Manifest;
}

/** Whether `dir` does not exist or is empty. */
export async function isAbsentOrEmpty(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  return (await readdir(dir)).length === 0;
}

/**
 * Stamps a service into `root`: renders the template, writes it, generates
 * the proto code, keeps pristine copies of the merged files under .lumi/base
 * (the next upgrade's merge base) and writes the manifest.
 */
export async function stampService(
  root: string,
  source: TemplateSource,
  answers: Answers,
): Promise<StampResult> {
  const files = renderTemplate(source, answers);
  await writeFiles(root, files);
  if (answers.rpc) generateProtoCode(root);
  const merged = files.filter((file) => file.mode === "merged");
  await writeFiles(
    root,
    merged.map((file) => ({ path: `${BASE_DIR}/${file.path}`, content: file.content })),
  );
  const entries: Record<string, ManifestFile> = {};
  for (const file of files) {
    // Hash what is on disk: code generation rewrote src/gen.
    const content = await readFile(path.join(root, file.path));
    entries[file.path] = { mode: file.mode, hash: hashContent(content) };
  }
  const manifest: Manifest = {
    schema: 1,
    templateVersion: source.version,
    answers,
    files: entries,
    generated: [],
  };
  await writeManifest(root, manifest);
  return { files, manifest };
}
