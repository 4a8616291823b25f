import { lt, minVersion, validRange } from "semver";
import { packageJsonRule } from "./package-json.ts";
import { isRecord, keyLine } from "./source.ts";
import type { Rule } from "./types.ts";

/** The oldest Node.js a service may declare. */
export const MIN_NODE_VERSION = "24.0.0";

/** Why an `engines.node` range is not acceptable, or undefined when it requires Node >= 24. */
export function nodeEngineProblem(range: unknown): string | undefined {
  if (typeof range !== "string" || range.trim() === "") return "engines.node is not set";
  if (validRange(range) === null) return `engines.node "${range}" is not a semver range`;
  const lowest = minVersion(range);
  if (lowest === null) return `engines.node "${range}" matches no version`;
  if (lt(lowest, MIN_NODE_VERSION)) {
    return `engines.node "${range}" allows Node ${lowest.version}; require ${MIN_NODE_VERSION} or newer`;
  }
  return undefined;
}

/** `lumi/node-engine`: package.json declares `engines.node` and it requires Node 24 or newer. */
export const nodeEngineRule: Rule = packageJsonRule(
  {
    id: "lumi/node-engine",
    title: "package.json requires Node 24 or newer",
    rationale:
      "The template, its image and its CI run on Node 24 and use its APIs; an older engine is untested and fails at run time.",
    fix: 'Set "engines": { "node": ">=24" } in package.json.',
  },
  ({ source, value }) => {
    const engines = value.engines;
    const problem = nodeEngineProblem(isRecord(engines) ? engines.node : undefined);
    if (problem === undefined) return [];
    return [{ file: "package.json", line: keyLine(source, ["engines", "node"]), message: problem }];
  },
);
