import { readFile } from "node:fs/promises";
import path from "node:path";
import { hashContent } from "../manifest/index.ts";
import type { Finding, Rule, RuleContext } from "./types.ts";

async function readBytes(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
    throw error;
  }
}

/** `lumi/managed-drift`: every file the manifest marks managed still has the hash lumi wrote. */
export const managedDriftRule: Rule = {
  id: "lumi/managed-drift",
  title: "Managed files are unchanged",
  rationale:
    "Managed files belong to the template: `lumi upgrade` replaces them, so local edits are lost and hide the fixes they diverge from.",
  fix: "Revert the edits (git checkout, or `npx lumi upgrade`) and propose the change to the template instead.",
  async run(context: RuleContext): Promise<readonly Finding[]> {
    const managed = Object.entries(context.manifest.files)
      .filter(([, entry]) => entry.mode === "managed")
      .map(([file, entry]) => ({ file, hash: entry.hash }))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    const findings = await Promise.all(
      managed.map(async ({ file, hash }): Promise<Finding | undefined> => {
        const content = await readBytes(path.join(context.dir, file));
        if (content === undefined) return { file, message: "managed file is missing" };
        if (hashContent(content) !== hash) {
          return { file, message: "managed file was modified since lumi wrote it" };
        }
        return undefined;
      }),
    );
    return findings.filter((finding) => finding !== undefined);
  },
};
