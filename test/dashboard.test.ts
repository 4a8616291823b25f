// Static checks of the shipped Grafana dashboard, and of the metric names it and the Prometheus
// rules query: Grafana does not run where the tests run, so the JSON is read and its PromQL
// extracted. The names are held against docs/metrics.md; a contract test that scrapes a running
// service checks the other side.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type Dashboard,
  type DashboardPanel,
  dashboardExpressions,
  dashboards,
  documentedMetrics,
  metricNamesIn,
  PROMETHEUS_SERIES,
  panelsOf,
  recordingRulesIn,
  ruleExpressions,
  rules,
  type VectorSelector,
  vectorSelectors,
} from "./promql.ts";

const all = dashboards();
const dashboard = all.get("lumi-service.json") as Dashboard;
const panels = panelsOf(dashboard);
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not JavaScript's.
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

/** Range selectors that deliberately use a fixed window instead of $__rate_interval. */
const FIXED_WINDOWS = [
  // Restarts are counted over a fixed hour, the window LumiInstanceRestarting uses.
  { metric: "process_start_time_seconds", range: "1h" },
];

/** The label names in a selector's matchers. */
function matcherLabels(selector: VectorSelector): string[] {
  return [...selector.matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map(
    (match) => match[1] ?? "",
  );
}

/** The value of every `job` matcher in a selector. */
function jobMatchers(selector: VectorSelector): string[] {
  return [...selector.matchers.matchAll(/\bjob\s*(?:=~|!~|!=|=)\s*"([^"]*)"/g)].map(
    (match) => match[1] ?? "",
  );
}

/** The label names of every `by`, `without`, `on`, `ignoring` and `group_*` list in an expression. */
function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)]
    .flatMap((match) => (match[1] ?? "").split(","))
    .map((label) => label.trim())
    .filter((label) => label !== "");
}

/** The selector inside a Grafana `label_values(selector, label)` variable query. */
function labelValuesSelector(query: string): string {
  const match = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query.trim());
  if (!match) throw new Error(`not a label_values() query: ${query}`);
  return match[1] ?? "";
}

function variableQuery(name: string): string {
  const variable = dashboard.templating.list.find((v) => v.name === name);
  return typeof variable?.query === "string" ? variable.query : (variable?.query?.query ?? "");
}

const queryVariables = dashboard.templating.list.filter((v) => v.type === "query");
const panelExpressions = dashboardExpressions();
const variableSelectors = queryVariables.map((v) => labelValuesSelector(variableQuery(v.name)));

describe("the lumi-service dashboard", () => {
  it("when the folder is read then every dashboard parses and has a unique uid", () => {
    expect([...all.keys()]).toContain("lumi-service.json");
    const uids = [...all.values()].map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(dashboard.uid).toBe("lumi-service");
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
  });

  it("when an SRE opens it then they choose a Prometheus data source and a service by job", () => {
    const names = dashboard.templating.list.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect(dashboard.templating.list.find((v) => v.name === "datasource")).toMatchObject({
      type: "datasource",
      query: "prometheus",
    });
    expect(dashboard.templating.list.find((v) => v.name === "service")).toMatchObject({
      type: "query",
      multi: false,
      includeAll: false,
    });
    expect(variableQuery("service").replace(/\s/g, "")).toBe("label_values(lumi_build_info,job)");
  });

  it("when variables list values then they list them for the chosen service only", () => {
    for (const variable of queryVariables.filter((v) => v.name !== "service")) {
      const selectors = vectorSelectors(labelValuesSelector(variableQuery(variable.name)));
      for (const selector of selectors) {
        expect(jobMatchers(selector), `$${variable.name}`).toEqual(["$service"]);
      }
    }
  });

  it("when it is laid out then the rows come in the documented order", () => {
    expect(dashboard.panels.filter((p) => p.type === "row").map((p) => p.title)).toEqual([
      "Overview",
      "HTTP: rate, errors, duration by route",
      "RPC: rate, errors, duration by procedure",
      "Dependencies and circuit breakers",
      "Cache",
      "Rate limiting",
      "Database pool",
      "Node.js runtime",
      "SLOs and error-budget burn",
    ]);
  });

  it("when a panel queries then it uses the datasource variable", () => {
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      expect(panel.targets?.length, `${panel.title} has no query`).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource ?? DATASOURCE, panel.title).toEqual(DATASOURCE);
        expect(target.expr?.trim(), `${panel.title} ${target.refId}`).toBeTruthy();
      }
      const refIds = (panel.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, `${panel.title}: duplicate refId`).toBe(refIds.length);
    }
  });

  it("when panels are listed then their ids are unique", () => {
    const walk = (list: readonly DashboardPanel[]): number[] =>
      list.flatMap((p) => [p.id ?? -1, ...walk(p.panels ?? [])]);
    const ids = walk(dashboard.panels);
    expect(ids).not.toContain(-1);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("when a query selects series then it selects the chosen service, never a named one", () => {
    for (const expr of panelExpressions) {
      for (const selector of vectorSelectors(expr)) {
        expect(jobMatchers(selector), `${selector.metric} in ${expr}`).toEqual(["$service"]);
      }
    }
    const text = JSON.stringify(dashboard);
    expect(text).not.toMatch(/job\s*(=~|!=|!~|=)\s*\\"(?!\$service\\")/);
    expect(text).not.toContain("lumi-template");
  });

  it("when a query takes a rate then its window is $__rate_interval unless a fixed one is meant", () => {
    for (const expr of panelExpressions) {
      for (const selector of vectorSelectors(expr).filter((s) => s.range !== undefined)) {
        const fixed = FIXED_WINDOWS.some(
          (allowed) => allowed.metric === selector.metric && allowed.range === selector.range,
        );
        if (!fixed)
          expect(selector.range, `${selector.metric} in ${expr}`).toBe("$__rate_interval");
      }
    }
  });

  const promtool = spawnSync("promtool", ["--version"]).status === 0;
  it.skipIf(!promtool)("when promtool parses every panel query then it accepts them", () => {
    // Grafana substitutes the variables before Prometheus sees a query; any value parses.
    const substituted = panelExpressions.map((expr) =>
      expr.replace(/\$\{?(\w+)\}?/g, (_, name: string) =>
        name === "__rate_interval" ? "1m" : ".*",
      ),
    );
    const records = substituted.map(
      (expr, index) =>
        `      - record: dashboard:query_${index}\n        expr: ${JSON.stringify(expr)}`,
    );
    const dir = mkdtempSync(join(tmpdir(), "lumi-dashboard-"));
    try {
      const file = join(dir, "dashboard.rules.yaml");
      writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${records.join("\n")}\n`);
      const result = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
      expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the metrics the dashboard and the rules query", () => {
  const documented = documentedMetrics();
  const exact = new Map(documented.filter((m) => !m.name.endsWith("*")).map((m) => [m.name, m]));
  const prefixes = documented.filter((m) => m.name.endsWith("*")).map((m) => m.name.slice(0, -1));
  const recorded = new Set(rules().flatMap((rule) => (rule.record ? [rule.record] : [])));
  const expressions = [...panelExpressions, ...variableSelectors, ...ruleExpressions()];

  // prom-client's default metric names, read from its source rather than guessed.
  const promClientDir = join(
    dirname(createRequire(import.meta.url).resolve("prom-client")),
    "lib/metrics",
  );
  const promClientNames = new Set(
    readdirSync(promClientDir)
      .filter((file) => file.endsWith(".js"))
      .flatMap((file) => [
        ...readFileSync(join(promClientDir, file), "utf8").matchAll(
          /'((?:nodejs|process)_[a-z0-9_]+)'/g,
        ),
      ])
      .map((match) => match[1] ?? ""),
  );
  // Labels prom-client adds beyond job and instance, from the same source.
  const promClientLabels: Record<string, readonly string[]> = {
    nodejs_gc_duration_seconds: ["kind"],
  };

  /** The documented metric a series name belongs to (histogram series through their base name). */
  function documentedFor(name: string): { labels: readonly string[]; histogram: boolean } | null {
    const direct = exact.get(name);
    if (direct) return { labels: direct.labels, histogram: false };
    const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1] ?? "";
    const histogram = exact.get(base);
    if (histogram?.type === "histogram") return { labels: histogram.labels, histogram: true };
    if (prefixes.some((prefix) => name.startsWith(prefix))) {
      const promClient = promClientNames.has(name) ? name : promClientNames.has(base) ? base : "";
      if (promClient) return { labels: promClientLabels[promClient] ?? [], histogram: false };
    }
    return null;
  }

  it("when docs/metrics.md is read then it lists the metrics and their labels", () => {
    expect(exact.get("http_server_request_duration_seconds")?.labels).toContain("http_route");
    expect(prefixes).toEqual(expect.arrayContaining(["process_", "nodejs_"]));
  });

  it("when prom-client's source is read then gc durations carry the kind label", () => {
    expect(readFileSync(join(promClientDir, "gc.js"), "utf8")).toContain("labelNames: ['kind'");
    expect(promClientNames).toContain("nodejs_eventloop_lag_p99_seconds");
  });

  it("when a query names a metric then docs/metrics.md lists it (or prom-client serves it)", () => {
    const undocumented = expressions
      .flatMap((expr) => [...metricNamesIn(expr)])
      .filter((name) => !PROMETHEUS_SERIES.has(name) && documentedFor(name) === null);
    expect([...new Set(undocumented)]).toEqual([]);
  });

  it("when a query reads a recording rule then the rules define it", () => {
    const undefinedRules = expressions
      .flatMap((expr) => [...recordingRulesIn(expr)])
      .filter((name) => !recorded.has(name));
    expect([...new Set(undefinedRules)]).toEqual([]);
  });

  it("when a query matches or groups by a label then the metric has that label", () => {
    const target = ["job", "instance"];
    for (const expr of expressions) {
      const selectors = vectorSelectors(expr);
      const available = new Set<string>(target);
      let known = true;
      for (const selector of selectors) {
        let labels: readonly string[];
        if (selector.metric.includes(":")) {
          labels = ["job"];
        } else if (PROMETHEUS_SERIES.has(selector.metric)) {
          labels = ["alertname", "alertstate", "severity", "slo"];
          known = false;
        } else {
          const metric = documentedFor(selector.metric);
          labels = [...(metric?.labels ?? []), ...(metric?.histogram ? ["le"] : [])];
        }
        for (const label of labels) available.add(label);
        const allowed = new Set([...target, ...labels]);
        for (const label of matcherLabels(selector)) {
          expect(allowed, `${selector.metric}{${selector.matchers}}`).toContain(label);
        }
      }
      if (!known) continue;
      for (const label of groupingLabels(expr)) {
        expect(available, `grouping by ${label} in ${expr}`).toContain(label);
      }
    }
  });

  it("when the extractor reads PromQL then it finds metrics, not functions, labels or numbers", () => {
    const expr = `histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{job="$service", http_route=~"/v1/{id}"}[$__rate_interval])))
      / on (job) group_left (version) lumi_build_info offset 5m > bool 0.25
      and sum without (instance) (lumi:slo_requests:rate5m) or vector(0) * up`;
    expect([...metricNamesIn(expr)].sort()).toEqual([
      "http_server_request_duration_seconds_bucket",
      "lumi_build_info",
      "up",
    ]);
    expect([...recordingRulesIn(expr)]).toEqual(["lumi:slo_requests:rate5m"]);
    expect(vectorSelectors(expr)[0]).toEqual({
      metric: "http_server_request_duration_seconds_bucket",
      matchers: 'job="$service", http_route=~"/v1/{id}"',
      range: "$__rate_interval",
    });
    expect([...metricNamesIn("max_over_time(rate(process_cpu_seconds_total[1m])[1h:1m])")]).toEqual(
      ["process_cpu_seconds_total"],
    );
    expect(() => vectorSelectors('{__name__=~"http_.*"}')).toThrow(/without a metric name/);
  });

  it("when the rules and the dashboard are read then they query the same SLO recordings", () => {
    const used = new Set(panelExpressions.flatMap((expr) => [...recordingRulesIn(expr)]));
    expect(used).toContain("lumi:slo_availability_errors:ratio_rate1h");
    expect(used).toContain("lumi:slo_latency_errors:ratio_rate1h");
  });
});
