import path from "node:path";
import { readManifest } from "../manifest/index.ts";
import { loadCheckConfig } from "./config.ts";
import { checkRules } from "./rules.ts";
import type { CheckOptions, CheckReport, RuleContext, RuleOutcome } from "./types.ts";
import { applyWaivers, loadWaivers } from "./waivers.ts";

/**
 * Runs every rule on the service at `options.dir` and applies its waivers.
 * Throws a state error when the manifest, `.lumi/check.json` or the waivers
 * file cannot be read; everything else the rules find is in the report.
 */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const rules = checkRules;
  const dir = path.resolve(options.dir);
  const now = options.now ?? new Date();
  const manifest = await readManifest(dir);
  const config = await loadCheckConfig(dir);
  const ruleIds = new Set(rules.map((rule) => rule.id));
  const { waivers, problems } = await loadWaivers(dir, config, ruleIds, now);
  const context: RuleContext = {
    dir,
    manifest,
    config,
    cliVersion: options.cliVersion,
    releases: options.releases,
    now,
  };
  const outcomes: RuleOutcome[] = [];
  for (const rule of rules) {
    const findings = await rule.run(context);
    const { id, title, rationale, fix } = rule;
    outcomes.push({ id, title, rationale, fix, ...applyWaivers(id, findings, waivers) });
  }
  const ok = problems.length === 0 && outcomes.every((outcome) => outcome.status !== "fail");
  return { dir, ok, rules: outcomes, waiverProblems: problems };
}
