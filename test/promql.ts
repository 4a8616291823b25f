// Reads the PromQL that the shipped dashboards and Prometheus rules run, and the metric names
// docs/metrics.md promises, so tests can hold one against the other: this file's dashboard test,
// and a contract test that scrapes a running service's /metrics.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const dashboardsDir = join(repoRoot, "deploy/grafana/dashboards");
const rulesDir = join(repoRoot, "deploy/prometheus");

/**
 * Series that Prometheus writes itself: a scrape of the service never contains them, but the
 * dashboards may query them (`up` per target, `ALERTS` for the rules' alerts).
 */
export const PROMETHEUS_SERIES: ReadonlySet<string> = new Set(["up", "ALERTS"]);

/** Words that are PromQL syntax rather than metric names when they stand alone. */
const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "offset",
  "atan2",
  "inf",
  "nan",
]);

/** Keywords followed by a parenthesised list of label names, not by an expression. */
const LABEL_LIST_KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
]);

/** Aggregation operators, which may be followed by `by (...)` or `without (...)` before `(`. */
const AGGREGATIONS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);

/** One metric selector in an expression: `name{matchers}[range]`. */
export interface VectorSelector {
  /** The metric name; recording rules included (they contain a colon). */
  readonly metric: string;
  /** The label matchers as written, without the braces; "" when there are none. */
  readonly matchers: string;
  /** The range as written, without the brackets (`5m`, `$__rate_interval`); undefined for an instant vector. */
  readonly range: string | undefined;
}

/** Returns the index just past the bracketed group that opens at `start` (quoted strings skipped). */
function skipGroup(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < expr.length; i++) {
    const char = expr[i];
    if (char === '"' || char === "'" || char === "`") {
      i = skipString(expr, i);
    } else if (char === open) {
      depth++;
    } else if (char === close) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error(`unbalanced ${open}${close} in PromQL: ${expr}`);
}

/** Returns the index of the quote that closes the string opening at `start`. */
function skipString(expr: string, start: number): number {
  const quote = expr[start];
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === "\\" && quote !== "`") i++;
    else if (expr[i] === quote) return i;
  }
  throw new Error(`unterminated string in PromQL: ${expr}`);
}

/** Returns the index of the first character at or after `start` that is not white space. */
function skipSpace(expr: string, start: number): number {
  let i = start;
  while (i < expr.length && /\s/.test(expr[i] ?? "")) i++;
  return i;
}

/**
 * Every metric selector in a PromQL expression, in order. Function and aggregation names, keywords,
 * label names in `by (...)`/`on (...)` lists, strings, numbers, durations and Grafana variables
 * (`$service`, `${datasource}`) are not selectors. Grafana's `label_values(...)` is not PromQL:
 * pass only its first argument. A selector without a metric name (`{__name__=~"..."}`) throws,
 * because its metrics cannot be checked.
 */
export function vectorSelectors(expr: string): VectorSelector[] {
  const selectors: VectorSelector[] = [];
  let i = 0;
  while (i < expr.length) {
    const char = expr[i] ?? "";
    const rest = expr.slice(i);
    if (char === '"' || char === "'" || char === "`") {
      i = skipString(expr, i) + 1;
    } else if (char === "$") {
      i += /^\$(\{[^}]*\}|\w+)/.exec(rest)?.[0].length ?? 1;
    } else if (/[0-9.]/.test(char)) {
      // Numbers (0.25, 1e-3, 0x1f) and durations (5m, 1h30m).
      i += /^(0x[0-9a-f]+|\d*\.?\d+(e[+-]?\d+)?([a-z]+\d*)*)/i.exec(rest)?.[0].length ?? 1;
    } else if (/[a-zA-Z_:]/.test(char)) {
      const word = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest)?.[0] ?? char;
      i += word.length;
      const next = skipSpace(expr, i);
      if (LABEL_LIST_KEYWORDS.has(word.toLowerCase()) && expr[next] === "(") {
        i = skipGroup(expr, next, "(", ")");
      } else if (
        KEYWORDS.has(word.toLowerCase()) ||
        expr[next] === "(" ||
        (AGGREGATIONS.has(word) && /^(by|without)\s*\(/i.test(expr.slice(next)))
      ) {
        // A keyword, a function, or an aggregation with its grouping before its argument.
      } else {
        let matchers = "";
        let range: string | undefined;
        let end = next;
        if (expr[end] === "{") {
          const close = skipGroup(expr, end, "{", "}");
          matchers = expr.slice(end + 1, close - 1).trim();
          end = skipSpace(expr, close);
        }
        if (expr[end] === "[") {
          const close = skipGroup(expr, end, "[", "]");
          range = expr.slice(end + 1, close - 1).trim();
          end = close;
        }
        selectors.push({ metric: word, matchers, range });
        if (end > next) i = end;
      }
    } else if (char === "[") {
      // A subquery's range and resolution, after a parenthesised expression.
      i = skipGroup(expr, i, "[", "]");
    } else if (char === "{") {
      const close = skipGroup(expr, i, "{", "}");
      throw new Error(`selector without a metric name: ${expr.slice(i, close)} in ${expr}`);
    } else {
      i++;
    }
  }
  return selectors;
}

/**
 * The metric names an expression reads, as a scrape would show them (histogram series keep their
 * `_bucket`/`_sum`/`_count` suffix). Recording rules (names with a colon, which exporters never
 * use) are left out: resolve them through {@link ruleExpressions}.
 */
export function metricNamesIn(expr: string): Set<string> {
  return new Set(
    vectorSelectors(expr)
      .map((selector) => selector.metric)
      .filter((name) => !name.includes(":")),
  );
}

/** The recording rules (names with a colon) an expression reads. */
export function recordingRulesIn(expr: string): Set<string> {
  return new Set(
    vectorSelectors(expr)
      .map((selector) => selector.metric)
      .filter((name) => name.includes(":")),
  );
}

/** A panel of a dashboard, or a row holding collapsed panels. */
export interface DashboardPanel {
  readonly id?: number;
  readonly type: string;
  readonly title?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string } | string | null;
  readonly targets?: readonly {
    readonly refId?: string;
    readonly expr?: string;
    readonly datasource?: { readonly type?: string; readonly uid?: string };
  }[];
  readonly panels?: readonly DashboardPanel[];
}

/** The parts of a Grafana dashboard JSON model the tests read. */
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly panels: readonly DashboardPanel[];
  readonly templating: {
    readonly list: readonly {
      readonly name: string;
      readonly type: string;
      readonly query?: string | { readonly query?: string };
      readonly multi?: boolean;
      readonly includeAll?: boolean;
    }[];
  };
}

/** Every dashboard under deploy/grafana/dashboards, by file name. */
export function dashboards(): Map<string, Dashboard> {
  const files = readdirSync(dashboardsDir)
    .filter((name) => name.endsWith(".json"))
    .sort();
  return new Map(
    files.map((file) => [
      file,
      JSON.parse(readFileSync(join(dashboardsDir, file), "utf8")) as Dashboard,
    ]),
  );
}

/** Every panel of a dashboard, rows' collapsed panels included, rows themselves left out. */
export function panelsOf(dashboard: Dashboard): DashboardPanel[] {
  const walk = (panels: readonly DashboardPanel[]): DashboardPanel[] =>
    panels.flatMap((panel) =>
      panel.type === "row" ? walk(panel.panels ?? []) : [panel, ...walk(panel.panels ?? [])],
    );
  return walk(dashboard.panels);
}

/** The PromQL of every panel query in every shipped dashboard, Grafana variables left as written. */
export function dashboardExpressions(): string[] {
  return [...dashboards().values()].flatMap((dashboard) =>
    panelsOf(dashboard).flatMap((panel) =>
      (panel.targets ?? []).flatMap((target) => (target.expr ? [target.expr] : [])),
    ),
  );
}

/** One rule of a rule group: a recording rule (`record`) or an alert (`alert`). */
export interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Every rule in deploy/prometheus/*.rules.yaml (the files Prometheus loads; tests excluded). */
export function rules(): Rule[] {
  const files = readdirSync(rulesDir)
    .filter((name) => name.endsWith(".rules.yaml"))
    .sort();
  return files.flatMap((file) => {
    const document = parseDocument(readFileSync(join(rulesDir, file), "utf8"), {
      uniqueKeys: true,
    });
    if (document.errors.length > 0) {
      throw new Error(`${file}: ${document.errors.map((error) => error.message).join("; ")}`);
    }
    const { groups } = document.toJS() as { groups: { rules: Rule[] }[] };
    return groups.flatMap((group) => group.rules);
  });
}

/** The PromQL of every recording rule and alert the shipped rule files define. */
export function ruleExpressions(): string[] {
  return rules().map((rule) => rule.expr);
}

/** A metric listed in docs/metrics.md. */
export interface DocumentedMetric {
  /** The name, or a prefix pattern such as `nodejs_*`. */
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
  /** Listed under "Served now" rather than "Reserved for later phases". */
  readonly served: boolean;
}

/** The metrics docs/metrics.md lists: the first column of its tables, with type and labels. */
export function documentedMetrics(): DocumentedMetric[] {
  const doc = readFileSync(join(repoRoot, "docs/metrics.md"), "utf8");
  const metrics: DocumentedMetric[] = [];
  let section = "";
  for (const line of doc.split("\n")) {
    if (line.startsWith("## ")) section = line.slice(3).trim();
    if (!line.startsWith("|") || /^\|\s*-/.test(line) || /^\|\s*metric\s*\|/.test(line)) continue;
    const [nameCell = "", type = "", labelCell = ""] = line.split("|").slice(1);
    const labels = [...labelCell.replace(/\([^)]*\)/g, "").matchAll(/`([a-z_][a-z0-9_]*)`/g)].map(
      (match) => match[1] ?? "",
    );
    for (const match of nameCell.matchAll(/`([a-zA-Z_:][a-zA-Z0-9_:]*\*?)`/g)) {
      metrics.push({
        name: match[1] ?? "",
        type: type.trim(),
        labels,
        served: section === "Served now",
      });
    }
  }
  return metrics;
}
