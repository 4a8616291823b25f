// Packs the template into the CLI package (cli/template/), laid out as a stamped service, with
// the release version in its lumi-template.json. Runs before `npm pack` (prepack), so the
// tarball stamps services on its own, without the lumi repository.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { collectRepositoryTemplate, TEMPLATE_META_FILE } from "../src/template/index.ts";
import { cliRoot, cliVersion } from "../src/utils/paths.ts";

/** Writes the template of the repository around the CLI into `target`; returns the file count. */
export async function packTemplate(target: string, version: string): Promise<number> {
  const files = await collectRepositoryTemplate(path.resolve(cliRoot, ".."));
  const meta = JSON.parse(files.get(TEMPLATE_META_FILE)?.toString("utf8") ?? "{}");
  files.set(TEMPLATE_META_FILE, Buffer.from(`${JSON.stringify({ version, ...meta }, null, 2)}\n`));
  rmSync(target, { recursive: true, force: true });
  for (const [name, content] of files) {
    const file = path.join(target, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return files.size;
}

if (import.meta.main) {
  const target = path.join(cliRoot, "template");
  const count = await packTemplate(target, cliVersion);
  console.log(`pack-template: ${count} files of template ${cliVersion} in ${target}`);
}
