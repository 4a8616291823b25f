import { intersects, validRange } from "semver";
import { packageJsonRule } from "./package-json.ts";
import { isRecord, keyLine } from "./source.ts";
import type { Finding, Rule } from "./types.ts";

const sections = ["dependencies", "devDependencies"] as const;

/**
 * Whether a declared version spec may install a forbidden version. A spec
 * that is no semver range (a tag, URL or alias) cannot be judged: it counts.
 */
export function allowsForbidden(spec: string, forbidden: string): boolean {
  if (forbidden.trim() === "*" || forbidden.trim() === "") return true;
  if (validRange(spec) === null) return true;
  return intersects(spec, forbidden);
}

/** `lumi/forbidden-dependencies`: no dependency on the configured list, in the versions it names. */
export const forbiddenDependenciesRule: Rule = packageJsonRule(
  {
    id: "lumi/forbidden-dependencies",
    title: "No forbidden dependencies",
    rationale:
      "Some packages are deprecated, unmaintained or replaced by the platform; each has a stated reason and a better choice.",
    fix: "Replace each dependency as its reason says, or waive it with an owner and an expiry date.",
  },
  ({ source, value }, context) =>
    sections.flatMap((section) => {
      const declared = value[section];
      if (!isRecord(declared)) return [];
      return Object.entries(declared).flatMap(([name, spec]): Finding[] => {
        const hit = context.config.forbiddenDependencies.find(
          (entry) => entry.name === name && allowsForbidden(String(spec), entry.range),
        );
        if (hit === undefined) return [];
        const versions = hit.range === "*" ? "" : ` (forbidden: ${hit.range})`;
        return [
          {
            file: "package.json",
            line: keyLine(source, [section, name]),
            message: `${section} has ${name}@${String(spec)}${versions}: ${hit.reason}`,
          },
        ];
      });
    }),
);
