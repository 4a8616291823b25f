import { readFile } from "node:fs/promises";
import path from "node:path";
import { completeAnswers } from "../src/commands/new/answers.ts";
import {
  type Answers,
  hashContent,
  MANIFEST_PATH,
  type Manifest,
  writeManifest,
} from "../src/manifest/index.ts";
import { renderTemplate, resolveTemplate } from "../src/template/index.ts";
import { writeFiles } from "../src/utils/files.ts";

/** The answers of a test service: `lumi new <name> --owner @acme/team` plus `flags`. */
export function testAnswers(
  name: string,
  flags: { rpc?: boolean; database?: string } = {},
): Answers {
  return completeAnswers(name, { owner: "@acme/team", ...flags });
}

/**
 * Stamps the repository's template into `root` as `lumi new` would, without
 * generating the proto code (fast; the generators never read src/gen).
 */
export async function stampForTest(root: string, answers: Answers): Promise<Manifest> {
  const source = await resolveTemplate();
  const files = renderTemplate(source, answers);
  await writeFiles(root, files);
  const manifest: Manifest = {
    schema: 1,
    templateVersion: source.version,
    answers,
    files: Object.fromEntries(
      files.map((file) => [file.path, { mode: file.mode, hash: hashContent(file.content) }]),
    ),
    generated: [],
  };
  await writeManifest(root, manifest);
  return manifest;
}

/** The manifest of the service at `root`, as written. */
export async function manifestOf(root: string): Promise<Manifest> {
  return JSON.parse(await readFile(path.join(root, MANIFEST_PATH), "utf8")) as Manifest;
}
