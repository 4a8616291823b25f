import { readFileSync } from "node:fs";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { docUrl } from "../../../test/docs-path.ts";
import { createCacheMetrics } from "./cache-metrics.ts";

describe("createCacheMetrics", () => {
  it("when recording then the registry serves the metrics reserved in docs/metrics.md", async () => {
    const registry = new Registry();
    const metrics = createCacheMetrics(registry);
    metrics.hit("items", "l1");
    metrics.hit("items", "l1");
    metrics.hit("items", "l2");
    metrics.miss("items", "l2");
    metrics.load("items", "success");
    metrics.load("items", "error");
    metrics.error("items", "l2");
    metrics.eviction("items", "l1");
    const text = await registry.metrics();

    expect(text).toContain('lumi_cache_hits_total{cache="items",tier="l1"} 2');
    expect(text).toContain('lumi_cache_hits_total{cache="items",tier="l2"} 1');
    expect(text).toContain('lumi_cache_misses_total{cache="items",tier="l2"} 1');
    expect(text).toContain('lumi_cache_loads_total{cache="items",outcome="success"} 1');
    expect(text).toContain('lumi_cache_loads_total{cache="items",outcome="error"} 1');
    expect(text).toContain('lumi_cache_errors_total{cache="items",tier="l2"} 1');
    expect(text).toContain('lumi_cache_evictions_total{cache="items",tier="l1"} 1');
  });

  it("when docs/metrics.md is read then its cache rows name the same metrics and labels", async () => {
    const doc = readFileSync(docUrl("metrics.md"), "utf8");
    const rows = [...doc.matchAll(/^\|\s*`(lumi_cache_[a-z_]+)`\s*\|\s*(\w+)\s*\|([^|]*)\|/gm)];
    const documented = new Map(
      rows.map(([, name, type, labels]) => [
        name ?? "",
        { type, labels: [...(labels ?? "").matchAll(/`([a-z_0-9]+)`/g)].map((m) => m[1]) },
      ]),
    );
    const registry = new Registry();
    createCacheMetrics(registry);
    const served = Object.fromEntries(
      (await registry.getMetricsAsJSON()).map((metric) => [metric.name, metric.type]),
    );
    expect([...documented.keys()].sort()).toEqual(Object.keys(served).sort());
    for (const [name, { type, labels }] of documented) {
      expect(type, name).toBe(served[name]);
      expect(labels.slice(0, 2), name).toEqual([
        "cache",
        name === "lumi_cache_loads_total" ? "outcome" : "tier",
      ]);
    }
  });
});
