import { readdir } from "node:fs/promises";
import path from "node:path";
import { type LayeredValue, lookupLayered } from "./helm-layers.ts";
import { type LocatedDocument, parseLocated, readServiceFile } from "./source.ts";
import type { Finding, Rule, RuleContext } from "./types.ts";

/** The values every environment shares. */
export const BASE_VALUES = "deploy/values.yaml";
/** Environments every service deploys to; other `deploy/values-<env>.yaml` files are checked too. */
export const REQUIRED_ENVIRONMENTS = ["dev", "staging", "prod"] as const;

const quantities = [
  ["resources", "requests", "cpu"],
  ["resources", "requests", "memory"],
  ["resources", "limits", "memory"],
] as const;
const probes = [
  ["startup", "/healthz"],
  ["liveness", "/healthz"],
  ["readiness", "/readyz"],
] as const;
const securityContexts = ["podSecurityContext", "securityContext", "containerSecurityContext"];

/** One unsafe value of an environment, where it is set (or could be). */
export type Issue = Omit<Finding, "message"> & { readonly what: string };
type Look = (keys: readonly string[]) => LayeredValue;

const at = (value: LayeredValue, what: string): Issue => ({
  what,
  file: value.file,
  line: value.line,
});

function isQuantity(value: unknown): boolean {
  return (
    (typeof value === "string" && value.trim() !== "") || (typeof value === "number" && value > 0)
  );
}

/** What is unsafe in one environment's merged values. */
export function valuesIssues(look: Look): Issue[] {
  const issues: Issue[] = [];
  for (const keys of quantities) {
    const value = look(keys);
    if (!value.found || !isQuantity(value.value)) {
      issues.push(at(value, `${keys.join(".")} is not set`));
    }
  }
  for (const [probe, expected] of probes) {
    const name = `probes.${probe}`;
    const self = look(["probes", probe]);
    const enabled = look(["probes", probe, "enabled"]);
    if (self.removed || (self.found && self.value === false)) {
      issues.push(at(self, `${name} is disabled`));
    } else if (enabled.found && enabled.value === false) {
      issues.push(at(enabled, `${name} is disabled`));
    }
    for (const keys of [["path"], ["httpGet", "path"]]) {
      const value = look(["probes", probe, ...keys]);
      if (value.found && value.value !== expected) {
        issues.push(
          at(value, `${name}.${keys.join(".")} is "${String(value.value)}", not ${expected}`),
        );
      }
    }
  }
  for (const context of securityContexts) {
    const user = look([context, "runAsUser"]);
    if (user.found && (user.value === 0 || user.value === "0")) {
      issues.push(at(user, `${context}.runAsUser is 0 (root)`));
    }
    const nonRoot = look([context, "runAsNonRoot"]);
    if (nonRoot.found && nonRoot.value === false) {
      issues.push(at(nonRoot, `${context}.runAsNonRoot is false`));
    }
  }
  return issues;
}

async function environments(dir: string): Promise<string[]> {
  let names: string[] = [];
  try {
    names = await readdir(path.join(dir, "deploy"));
  } catch {
    // no deploy directory: the required environments are reported missing
  }
  const extra = names.flatMap((name) => /^values-([\w.-]+)\.yaml$/.exec(name)?.[1] ?? []);
  return [...new Set<string>([...REQUIRED_ENVIRONMENTS, ...extra.sort()])];
}

async function load(dir: string, file: string, findings: Finding[]): Promise<LocatedDocument[]> {
  const text = await readServiceFile(dir, file);
  if (text === undefined) {
    findings.push({ file, message: `${file} is missing` });
    return [];
  }
  const source = parseLocated(text, file);
  findings.push(...source.errors);
  return source.errors.length > 0 ? [] : [source];
}

/** `lumi/helm-values`: requests, a memory limit, the probes and non-root in every environment. */
export const helmValuesRule: Rule = {
  id: "lumi/helm-values",
  title: "Helm values are production-safe",
  rationale:
    "Pods without requests or a memory limit starve their neighbours, pods without probes take traffic they cannot serve, root pods widen any breach.",
  fix: "In deploy/values*.yaml set resources.requests.cpu/memory and resources.limits.memory, and do not disable the probes (/healthz, /readyz) or the non-root security context.",
  async run(context: RuleContext): Promise<readonly Finding[]> {
    const findings: Finding[] = [];
    const base = await load(context.dir, BASE_VALUES, findings);
    const grouped = new Map<string, { issue: Issue; envs: string[] }>();
    for (const env of await environments(context.dir)) {
      const layers = [...base, ...(await load(context.dir, `deploy/values-${env}.yaml`, findings))];
      for (const issue of valuesIssues((keys) => lookupLayered(layers, keys))) {
        const key = `${issue.file}\0${issue.line}\0${issue.what}`;
        const entry = grouped.get(key) ?? { issue, envs: [] };
        entry.envs.push(env);
        grouped.set(key, entry);
      }
    }
    for (const { issue, envs } of grouped.values()) {
      const { what, ...location } = issue;
      findings.push({
        ...location,
        file: location.file ?? BASE_VALUES,
        message: `${envs.join(", ")}: ${what}`,
      });
    }
    return findings;
  },
};
