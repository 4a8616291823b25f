import type { Answers } from "../manifest/index.ts";
import type { Feature } from "./template-meta.ts";

type PackageJson = Record<string, unknown> & {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
};

/**
 * Turns the template's package.json into the service's: its name, a fresh
 * version, and without the dependencies and scripts of features that are off.
 */
export function transformPackageJson(
  text: string,
  answers: Answers,
  off: readonly (readonly [string, Feature])[],
  dropScripts: readonly string[] = [],
): string {
  const pkg = JSON.parse(text) as PackageJson;
  const drop = (record: Record<string, string> | undefined, names: readonly string[]): void => {
    for (const name of names) if (record !== undefined) delete record[name];
  };
  for (const [, feature] of off) {
    drop(pkg.dependencies, feature.dependencies);
    drop(pkg.devDependencies, feature.devDependencies);
    drop(pkg.scripts, feature.scripts);
  }
  drop(pkg.scripts, dropScripts);
  const service: PackageJson = {
    name: answers.name,
    version: "0.1.0",
    description: `The ${answers.name} service, stamped from the lumi template`,
  };
  for (const [key, value] of Object.entries(pkg)) {
    if (!(key in service)) service[key] = value;
  }
  // Install scripts of the service's toolchain: the pinned Node binary and buf's binary need
  // theirs; esbuild's only swaps in the path of its native binary and it works without it (as in
  // the image build, `npm ci --ignore-scripts`). npm honours allowScripts only in a root
  // package.json, so the decisions are written here.
  const dev = service.devDependencies ?? {};
  const decisions: readonly (readonly [string, boolean])[] = [
    ["node", true],
    ["@bufbuild/buf", true],
    ["esbuild", false],
  ];
  service.allowScripts = Object.fromEntries(decisions.filter(([name]) => name in dev));
  return `${JSON.stringify(service, null, 2)}\n`;
}

/**
 * Drops the blocks of the given keys from a generated `.env.example`: a block
 * is the comment lines above a `KEY=` or `# KEY=` line, up to a blank line.
 */
export function dropEnvKeys(text: string, keys: ReadonlySet<string>): string {
  if (keys.size === 0) return text;
  const blocks = text.split(/\n\n/);
  const keyOf = (block: string): string | undefined =>
    /^(?:# )?([A-Z][A-Z0-9_]*)=/m.exec(block.split("\n").at(-1) ?? "")?.[1];
  return blocks
    .filter((block) => {
      const key = keyOf(block);
      return key === undefined || !keys.has(key);
    })
    .join("\n\n");
}
