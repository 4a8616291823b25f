import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { LumiCliError } from "../errors/index.ts";
import { parseTemplateMeta, TEMPLATE_META_FILE, type TemplateMeta } from "./template-meta.ts";

/** A template version as files in memory, laid out as a stamped service (before rendering). */
export interface TemplateSource {
  readonly version: string;
  readonly meta: TemplateMeta;
  /** File contents by POSIX path relative to the service root. */
  readonly files: ReadonlyMap<string, Buffer>;
}

const SKIP_DIRS = new Set(["node_modules", "dist", "coverage", ".git"]);

/** Reads every file under `dir` (skipping build output) into a map keyed by POSIX path. */
export async function readTree(dir: string, prefix = ""): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const walk = async (current: string, relative: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (SKIP_DIRS.has(entry.name)) continue;
      const rel = relative === "" ? entry.name : `${relative}/${entry.name}`;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full, rel);
      else if (entry.isFile()) files.set(`${prefix}${rel}`, await readFile(full));
    }
  };
  await walk(dir, "");
  return files;
}

/**
 * Loads a packed template: a directory laid out as a service with
 * `lumi-template.json` at its root (the CLI package ships one under template/).
 * Its version is the one the meta file records, else `version`.
 */
export async function loadTemplateDir(dir: string, version: string): Promise<TemplateSource> {
  let files: Map<string, Buffer>;
  try {
    files = await readTree(dir);
  } catch (error) {
    throw new LumiCliError("state", `cannot read the template at ${dir}`, { cause: error });
  }
  const metaFile = files.get(TEMPLATE_META_FILE);
  if (metaFile === undefined) {
    throw new LumiCliError("state", `${dir} is not a lumi template (no ${TEMPLATE_META_FILE})`);
  }
  const meta = parseTemplateMeta(metaFile.toString("utf8"));
  return { version: meta.version ?? version, meta, files };
}

/** Platform docs copied from the repository's docs/ into every service's docs/. */
const SERVICE_DOCS = [
  "api.md",
  "caching.md",
  "configuration.md",
  "data.md",
  "deploy.md",
  "errors.md",
  "http.md",
  "lifecycle.md",
  "logging.md",
  "metrics.md",
  "observability.md",
  "ops.md",
  "resilience.md",
  "rpc.md",
  "security.md",
  "tracing.md",
];

/** Root files of the repository every service gets as they are. */
const ROOT_FILES = [".nvmrc", ".node-version", ".editorconfig", "biome.json"];

/**
 * Collects the template from the lumi repository: template/ at the root,
 * proto/ (generating into the service's src/gen), the platform docs and a
 * few root files. The pack step writes the same files into the CLI package.
 */
export async function collectRepositoryTemplate(repoRoot: string): Promise<Map<string, Buffer>> {
  const files = await readTree(path.join(repoRoot, "template"));
  for (const [name, content] of await readTree(path.join(repoRoot, "proto"), "proto/")) {
    files.set(
      name,
      name === "proto/buf.gen.yaml"
        ? Buffer.from(content.toString("utf8").replace("../template/src/gen", "../src/gen"))
        : content,
    );
  }
  for (const doc of SERVICE_DOCS) {
    files.set(`docs/${doc}`, await readFile(path.join(repoRoot, "docs", doc)));
  }
  for (const [name, content] of await readTree(path.join(repoRoot, "docs", "runbooks"))) {
    files.set(`docs/runbooks/${name}`, content);
  }
  for (const name of ROOT_FILES) files.set(name, await readFile(path.join(repoRoot, name)));
  return files;
}
