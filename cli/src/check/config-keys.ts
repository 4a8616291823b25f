import path from "node:path";
import { readServiceFile } from "./source.ts";
import { findObjectLiteral, importedNames, readMembers } from "./ts-object.ts";
import { type Token, tokenize } from "./ts-tokens.ts";
import type { Finding } from "./types.ts";

/** The service's configuration schema, relative to its root. */
export const CONFIG_SCHEMA_FILE = "src/platform/config/schema.ts";
/** The exported object literal that declares every configuration key. */
export const CONFIG_SCHEMA_EXPORT = "configSchema";

/** One configuration key and where it is declared. */
export interface ConfigKey {
  readonly key: string;
  readonly file: string;
  readonly line: number;
}

/** The keys found, and what could not be read. */
export interface ConfigKeys {
  readonly keys: readonly ConfigKey[];
  readonly problems: readonly Finding[];
}

interface Source {
  readonly file: string;
  readonly text: string;
  readonly tokens: readonly Token[];
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line += 1;
  return line;
}

/**
 * Finds the configuration keys of a service by reading its schema as text:
 * the property names of the `configSchema` object literal, following spreads
 * of object literals declared in the same file or imported (relatively) from
 * other files of the service. The service's code is never imported or run.
 */
export async function extractConfigKeys(
  dir: string,
  file: string = CONFIG_SCHEMA_FILE,
  name: string = CONFIG_SCHEMA_EXPORT,
): Promise<ConfigKeys> {
  const sources = new Map<string, Source | undefined>();
  const keys = new Map<string, ConfigKey>();
  const problems: Finding[] = [];
  const visited = new Set<string>();

  const load = async (rel: string): Promise<Source | undefined> => {
    if (!sources.has(rel)) {
      const text = await readServiceFile(dir, rel);
      sources.set(
        rel,
        text === undefined ? undefined : { file: rel, text, tokens: tokenize(text) },
      );
    }
    return sources.get(rel);
  };

  const resolveModule = async (from: string, specifier: string): Promise<string | undefined> => {
    if (!specifier.startsWith(".")) return undefined;
    const base = path.posix.join(path.posix.dirname(from), specifier);
    if (base.startsWith("../")) return undefined;
    const candidates = [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, `${base}/index.ts`];
    for (const candidate of candidates) if ((await load(candidate)) !== undefined) return candidate;
    return undefined;
  };

  const resolve = async (rel: string, object: string, at?: Finding): Promise<void> => {
    if (visited.has(`${rel}#${object}`)) return;
    visited.add(`${rel}#${object}`);
    const source = await load(rel);
    const fail = (message: string) =>
      problems.push({ file: at?.file ?? rel, line: at?.line, message });
    if (source === undefined) return void fail(`${rel} not found`);
    const open = findObjectLiteral(source.tokens, object);
    if (open === undefined) {
      const { names, stars } = importedNames(source.tokens, "export");
      const from = names.get(object);
      const targets = from === undefined ? stars : [from.module];
      for (const specifier of targets) {
        const target = await resolveModule(rel, specifier);
        if (target !== undefined) return resolve(target, from?.imported ?? object, at);
      }
      return void fail(`cannot find the object literal \`${object}\` in ${rel}`);
    }
    const located = (offset: number) => ({ file: rel, line: lineAt(source.text, offset) });
    const members = readMembers(source.tokens, open);
    for (const { name: key, offset } of members.keys) {
      if (!keys.has(key)) keys.set(key, { key, ...located(offset) });
    }
    for (const { what, offset } of members.unreadable) {
      problems.push({
        ...located(offset),
        message: `\`${object}\` has ${what}; its keys cannot be read`,
      });
    }
    const imports = importedNames(source.tokens, "import").names;
    for (const spread of members.spreads) {
      const where = { ...located(spread.offset), message: "" };
      const [head, member] = spread.path;
      const imported = imports.get(head as string);
      const module = imported && (await resolveModule(rel, imported.module));
      if (spread.path.length === 1 && imported === undefined)
        await resolve(rel, head as string, where);
      else if (module && spread.path.length === 1 && imported?.imported !== "*") {
        await resolve(module, imported?.imported as string, where);
      } else if (module && spread.path.length === 2 && imported?.imported === "*") {
        await resolve(module, member as string, where);
      } else {
        problems.push({
          ...where,
          message: `cannot follow \`...${spread.path.join(".")}\` to an object literal of the service`,
        });
      }
    }
  };

  await resolve(file, name);
  return { keys: [...keys.values()], problems };
}
