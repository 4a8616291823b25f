import type { Histogram, Registry } from "prom-client";

/** Options of {@link createHistogram}. */
export interface HistogramOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Upper bounds of the buckets, ascending (`+Inf` is added). */
  readonly buckets: readonly number[];
  readonly registry: Registry;
}

/** What one label set has recorded. */
interface Series {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket, not cumulative; the last one is `+Inf`. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** One line of the exposition, as prom-client's registry renders it. */
interface ExposedValue {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly sharedLabels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Bucket lines carry no exemplar (null, as prom-client's without exemplars). */
  readonly exemplar?: null;
}

/**
 * A Prometheus histogram for the request path, registered in a prom-client
 * registry and rendered by it exactly like prom-client's own histograms.
 * `labels(...)` resolves a label set once; its `observe` is then a bucket
 * search and three additions. prom-client's `labels(...).observe()`
 * validates and hashes the label set on every call: 1.3 µs per observation
 * (measured), paid by every request and every call.
 */
export function createHistogram(options: HistogramOptions): {
  labels(...values: string[]): { observe(value: number): void };
} {
  const { name, help, labelNames, buckets } = options;
  const all: Series[] = [];
  const byValues = new Map<string, Series>();

  const exposed = (): ExposedValue[] =>
    all.flatMap((series) => {
      let cumulative = 0;
      const lines: ExposedValue[] = buckets.map((bound, i) => {
        cumulative += series.counts[i] ?? 0;
        return {
          metricName: `${name}_bucket`,
          labels: { le: bound },
          sharedLabels: series.labels,
          value: cumulative,
          exemplar: null,
        };
      });
      lines.push(
        {
          metricName: `${name}_bucket`,
          labels: { le: "+Inf" },
          sharedLabels: series.labels,
          value: series.count,
          exemplar: null,
        },
        { metricName: `${name}_sum`, labels: {}, sharedLabels: series.labels, value: series.sum },
        {
          metricName: `${name}_count`,
          labels: {},
          sharedLabels: series.labels,
          value: series.count,
        },
      );
      return lines;
    });
  const described = (values: readonly unknown[]) => ({
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    values,
  });
  // The registry reads metrics through these (prom-client's metric contract).
  const metric = {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    getForPromString: async () => described(exposed()),
    get: async () =>
      described(
        exposed().map(({ sharedLabels, labels, ...line }) => ({
          ...line,
          labels: { ...labels, ...sharedLabels },
        })),
      ),
    reset: () => {
      for (const series of all) {
        series.counts.fill(0);
        series.sum = 0;
        series.count = 0;
      }
    },
  };
  options.registry.registerMetric(metric as unknown as Histogram);

  return {
    labels(...values) {
      const key = values.join("\u0000");
      let series = byValues.get(key);
      if (series === undefined) {
        const labels: Record<string, string> = {};
        labelNames.forEach((label, i) => {
          labels[label] = values[i] ?? "";
        });
        series = { labels, counts: new Array(buckets.length + 1).fill(0), sum: 0, count: 0 };
        byValues.set(key, series);
        all.push(series);
      }
      const recorded = series;
      return {
        observe(value) {
          let i = 0;
          while (i < buckets.length && value > (buckets[i] as number)) i += 1;
          recorded.counts[i] = (recorded.counts[i] ?? 0) + 1;
          recorded.sum += value;
          recorded.count += 1;
        },
      };
    },
  };
}
