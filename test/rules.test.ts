// Static checks of the shipped Prometheus rules beyond what promtool checks: every rule is per
// job and names no service, every alert is tested both ways, links a runbook that exists and is
// listed in docs/observability.md. `npm run rules:check` runs promtool itself.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { rules, vectorSelectors } from "./promql.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const runbooksDir = join(repoRoot, "docs/runbooks");
const all = rules();
const alerts = all.filter((rule) => rule.alert !== undefined);
/** The recording rules that decide which jobs are lumi services. */
const SCOPE = "lumi:service_job:present_1d";

/** `LumiAvailabilityBurnRate1h` → `lumi-availability-burn-rate-1h`. */
function kebab(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, "$1-$2")
    .replace(/([a-zA-Z])(\d)/g, "$1-$2")
    .toLowerCase();
}

interface RuleTestFile {
  tests: {
    name?: string;
    alert_rule_test?: { alertname: string; exp_alerts?: unknown[] | null }[];
  }[];
}

const testFile = parseDocument(
  readFileSync(join(repoRoot, "deploy/prometheus/lumi-service.rules.test.yaml"), "utf8"),
  { uniqueKeys: true },
).toJS() as RuleTestFile;
const alertTests = testFile.tests.flatMap((test) => test.alert_rule_test ?? []);

describe("the Prometheus rules", () => {
  it("when the rule files are read then they define SLO alerts and runtime alerts", () => {
    expect(alerts.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        "LumiAvailabilityBurnRate1h",
        "LumiAvailabilityBurnRate6h",
        "LumiAvailabilityBurnRate3d",
        "LumiLatencyBurnRate1h",
        "LumiLatencyBurnRate6h",
        "LumiLatencyBurnRate3d",
        "LumiEventLoopLagHigh",
        "LumiInstanceRestarting",
        "LumiTargetDown",
      ]),
    );
    const names = all.map((rule) => rule.alert ?? rule.record);
    expect(new Set(alerts.map((rule) => rule.alert)).size).toBe(alerts.length);
    expect(names.every((name) => name?.startsWith("lumi:") || name?.startsWith("Lumi"))).toBe(true);
  });

  it("when a rule selects series then it never selects a job", () => {
    for (const rule of all) {
      for (const selector of vectorSelectors(rule.expr)) {
        expect(selector.matchers, `${selector.metric} in ${rule.record ?? rule.alert}`).not.toMatch(
          /\bjob\s*(=~|!~|!=|=)/,
        );
      }
    }
  });

  it("when a rule aggregates then it keeps the job", () => {
    for (const rule of all) {
      expect(rule.expr, rule.record ?? rule.alert).not.toMatch(/\bwithout\s*\(/);
      for (const match of rule.expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
        const labels = (match[1] ?? "").split(",").map((label) => label.trim());
        expect(labels, `${rule.record ?? rule.alert}: ${match[0]}`).toContain("job");
      }
    }
  });

  it("when a rule reads raw metrics then it keeps to jobs that are lumi services", () => {
    // Scoped: joined with the scope, or with a recording rule that is.
    const scoped = new Set<string>();
    for (const rule of all) {
      if (rule.record === "lumi:service_job:present" || rule.record === SCOPE) continue;
      const selectors = vectorSelectors(rule.expr);
      const readsRaw = selectors.some((s) => !s.metric.includes(":"));
      const isScoped =
        rule.expr.includes(`on (job) ${SCOPE}`) || selectors.some((s) => scoped.has(s.metric));
      if (readsRaw) expect(isScoped, rule.record ?? rule.alert).toBe(true);
      if (rule.record && isScoped) scoped.add(rule.record);
    }
  });

  it.each(alerts.map((rule) => [rule.alert ?? "", rule] as const))(
    "when %s fires then it says who, how bad, and where its runbook is",
    (name, rule) => {
      expect(["page", "ticket"]).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toContain("{{ $labels.job }}");
      expect(rule.annotations?.description).toContain("{{ $labels.job }}");
      // The value, or for LumiTargetDown (whose value is always 0) the targets still up.
      expect(rule.annotations?.description).toMatch(/\$value|\| query/);
      expect(rule.annotations?.runbook_url).toBe(
        `{{ $externalLabels.runbook_base_url }}/${kebab(name)}.md`,
      );
    },
  );

  it.each(alerts.map((rule) => [rule.alert ?? ""] as const))(
    "when %s is unit-tested then one case fires and one does not",
    (name) => {
      const cases = alertTests.filter((test) => test.alertname === name);
      expect(
        cases.some((test) => (test.exp_alerts ?? []).length > 0),
        "a firing case",
      ).toBe(true);
      expect(
        cases.some((test) => (test.exp_alerts ?? []).length === 0),
        "a quiet case",
      ).toBe(true);
    },
  );
});

describe("the runbooks", () => {
  const sections = [
    "## What it means",
    "## Impact",
    "## First checks",
    "## Likely causes",
    "## Mitigation",
    "## Escalation",
  ];

  it.each(alerts.map((rule) => [rule.alert ?? ""] as const))(
    "when %s links its runbook then the runbook exists with every section",
    (name) => {
      const file = join(runbooksDir, `${kebab(name)}.md`);
      expect(existsSync(file), `docs/runbooks/${kebab(name)}.md`).toBe(true);
      const text = readFileSync(file, "utf8");
      expect(text.split("\n")[0]).toBe(`# ${name}`);
      for (const section of sections) expect(text, section).toContain(`\n${section}\n`);
    },
  );

  it("when the folder is listed then every runbook belongs to an alert", () => {
    const expected = alerts.map((rule) => `${kebab(rule.alert ?? "")}.md`).sort();
    expect(readdirSync(runbooksDir).sort()).toEqual(expected);
  });

  it("when docs/observability.md lists the alerts then it lists every one", () => {
    const doc = readFileSync(join(repoRoot, "docs/observability.md"), "utf8");
    for (const rule of alerts) {
      expect(doc).toContain(`[\`${rule.alert}\`](runbooks/${kebab(rule.alert ?? "")}.md)`);
    }
  });
});
