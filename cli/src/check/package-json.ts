import {
  isRecord,
  type LocatedDocument,
  parseLocated,
  plainValue,
  readServiceFile,
} from "./source.ts";
import type { Finding, Rule, RuleContext } from "./types.ts";

/** The service's package.json, parsed with positions. */
export interface PackageJson {
  readonly source: LocatedDocument;
  readonly value: Record<string, unknown>;
}

/** Reads and parses package.json at the service root, or says why it cannot be. */
export async function readPackageJson(dir: string): Promise<PackageJson | readonly Finding[]> {
  const file = "package.json";
  const text = await readServiceFile(dir, file);
  if (text === undefined) return [{ file, message: "package.json is missing" }];
  const source = parseLocated(text, file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = `package.json is not valid JSON: ${(error as Error).message}`;
    return source.errors.length > 0 ? source.errors : [{ file, message }];
  }
  if (!isRecord(value) || !isRecord(plainValue(source))) {
    return [{ file, message: "package.json is not a JSON object" }];
  }
  return { source, value };
}

/** A rule on package.json: a missing or unparsable file is its finding, else `check` decides. */
export function packageJsonRule(
  rule: Omit<Rule, "run">,
  check: (pkg: PackageJson, context: RuleContext) => readonly Finding[],
): Rule {
  return {
    ...rule,
    async run(context) {
      const pkg = await readPackageJson(context.dir);
      return "source" in pkg ? check(pkg, context) : pkg;
    },
  };
}
