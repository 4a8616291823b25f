import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createHistogram } from "./histogram.ts";
import { durationBuckets } from "./registry.ts";

const options = {
  name: "request_duration_seconds",
  help: "Duration of requests.",
  labelNames: ["method", "route"],
};

/** The same observations through prom-client's histogram and through ours. */
function both(observations: readonly (readonly [string, string, number])[]) {
  const theirs = new Registry();
  const ours = new Registry();
  const histogram = new Histogram({
    ...options,
    buckets: [...durationBuckets],
    registers: [theirs],
  });
  const lean = createHistogram({ ...options, buckets: durationBuckets, registry: ours });
  for (const [method, route, value] of observations) {
    histogram.labels(method, route).observe(value);
    lean.labels(method, route).observe(value);
  }
  return { theirs, ours };
}

describe("createHistogram", () => {
  const observations = [
    ["GET", "/v1/items/:id", 0.003],
    ["GET", "/v1/items/:id", 0.005],
    ["GET", "/v1/items/:id", 0],
    ["POST", "/v1/items", 0.2],
    ["POST", "/v1/items", 12],
    ["GET", 'a "quoted" \\ route\nline', 0.0101],
  ] as const;

  it("when values are observed then the exposition is prom-client's, line for line", async () => {
    const { theirs, ours } = both(observations);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it("when read as JSON then the values are prom-client's", async () => {
    const { theirs, ours } = both(observations);
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it("when nothing was observed then only the help and type lines are rendered", async () => {
    const { theirs, ours } = both([]);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it("when a label set is asked for twice then it is one series", async () => {
    const registry = new Registry();
    const lean = createHistogram({ ...options, buckets: durationBuckets, registry });
    lean.labels("GET", "/").observe(0.001);
    lean.labels("GET", "/").observe(0.001);
    expect(await registry.metrics()).toContain(
      'request_duration_seconds_count{method="GET",route="/"} 2',
    );
  });
});
