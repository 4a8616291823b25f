import { existsSync } from "node:fs";
import path from "node:path";
import { cliRoot, cliVersion, runningFromSource } from "../utils/paths.ts";
import { collectRepositoryTemplate, loadTemplateDir, type TemplateSource } from "./source.ts";
import { parseTemplateMeta, TEMPLATE_META_FILE } from "./template-meta.ts";

/**
 * The template this CLI stamps: `--template <dir>` when given (a packed
 * template directory, e.g. a newer release to try), the lumi repository's
 * template/ when the CLI runs from its sources, else the copy packed into
 * the CLI package.
 */
export async function resolveTemplate(
  options: { dir?: string; version?: string } = {},
): Promise<TemplateSource> {
  const version = options.version ?? cliVersion;
  if (options.dir !== undefined) return loadTemplateDir(path.resolve(options.dir), version);
  const repoRoot = path.resolve(cliRoot, "..");
  if (runningFromSource && existsSync(path.join(repoRoot, "template", TEMPLATE_META_FILE))) {
    const files = await collectRepositoryTemplate(repoRoot);
    const meta = files.get(TEMPLATE_META_FILE);
    return { version, meta: parseTemplateMeta(meta?.toString("utf8") ?? "{}"), files };
  }
  return loadTemplateDir(path.join(cliRoot, "template"), version);
}
