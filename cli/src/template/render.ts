import { LumiCliError } from "../errors/index.ts";
import type { Answers, OwnershipMode } from "../manifest/index.ts";
import { alignMarkdownTables } from "./markdown.ts";
import { applyMarkers } from "./markers.ts";
import { dropEnvKeys, transformPackageJson } from "./service-files.ts";
import type { TemplateSource } from "./source.ts";
import { featureEnabled, matchesAny, ownershipOf } from "./template-meta.ts";

/** A file of the stamped service, as lumi writes it. */
export interface RenderedFile {
  /** POSIX path relative to the service root. */
  readonly path: string;
  readonly content: Buffer;
  readonly mode: OwnershipMode;
}

/** The proto package (and its directory) of a service: its name with `-` turned into `_`. */
export const protoPackageOf = (service: string): string => service.replaceAll("-", "_");

/** The values `{{placeholder}}`s in substitutions are filled with. */
export function renderVariables(answers: Answers, version: string): Record<string, string> {
  return {
    name: answers.name,
    protoPackage: protoPackageOf(answers.name),
    owner: answers.owner,
    registry: answers.registry,
    chartRepository: answers.chartRepository,
    platformRepository: answers.platformRepository,
    version,
  };
}

/** Fills `{{name}}` placeholders; an unknown placeholder is a template bug. */
function fill(template: string, variables: Record<string, string>): string {
  return template.replaceAll(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = variables[key];
    if (value === undefined) throw new LumiCliError("state", `unknown placeholder {{${key}}}`);
    return value;
  });
}

const isBinary = (content: Buffer): boolean => content.subarray(0, 8000).includes(0);

/**
 * Renders a template version for the given answers, in memory: drops the
 * files and marked blocks of features that are off, applies the name
 * substitutions to paths and contents, and gives every file its ownership
 * mode. Pure: the same source and answers always give the same files.
 */
export function renderTemplate(source: TemplateSource, answers: Answers): RenderedFile[] {
  const { meta } = source;
  const variables = renderVariables(answers, source.version);
  const replacements = meta.substitutions.map((s) => [s.find, fill(s.replace, variables)] as const);
  const substitute = (text: string): string =>
    replacements.reduce((acc, [find, replace]) => acc.replaceAll(find, replace), text);
  const enabled = new Map(
    Object.entries(meta.features).map(([name, f]) => [name, featureEnabled(f, answers)]),
  );
  const off = Object.entries(meta.features).filter(([name]) => enabled.get(name) === false);
  const offFiles = off.flatMap(([, f]) => f.files);
  const offEnvKeys = new Set(off.flatMap(([, f]) => f.envKeys));
  const isOn = (feature: string): boolean => {
    const on = enabled.get(feature);
    if (on === undefined)
      throw new LumiCliError("state", `unknown feature "${feature}" in markers`);
    return on;
  };

  const rendered: RenderedFile[] = [];
  for (const [sourcePath, raw] of source.files) {
    if (matchesAny(sourcePath, meta.exclude) || matchesAny(sourcePath, offFiles)) continue;
    const target = substitute(sourcePath);
    let content = raw;
    if (!isBinary(raw)) {
      let text = substitute(applyMarkers(raw.toString("utf8"), sourcePath, isOn));
      if (target === "package.json")
        text = transformPackageJson(text, answers, off, meta.dropScripts);
      if (target === ".env.example") text = dropEnvKeys(text, offEnvKeys);
      if (target.endsWith(".md")) text = alignMarkdownTables(text);
      content = Buffer.from(text);
    }
    rendered.push({ path: target, content, mode: ownershipOf(meta, target) });
  }
  return rendered.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
