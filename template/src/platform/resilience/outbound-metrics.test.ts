import { readFileSync } from "node:fs";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { docUrl } from "../../../test/docs-path.ts";
import { createOutboundMetrics } from "./outbound-metrics.ts";

describe("createOutboundMetrics", () => {
  it("when recording then the registry serves the metrics reserved in docs/metrics.md", async () => {
    const registry = new Registry();
    const metrics = createOutboundMetrics(registry);
    metrics.observe("payments", "success", 0.02);
    metrics.observe("payments", "short_circuited", 0.0001);
    metrics.retry("payments");
    metrics.breakerState("payments", "half_open");
    metrics.rejected("payments", "bulkhead_full");
    const text = await registry.metrics();

    expect(text).toContain(
      'lumi_outbound_request_duration_seconds_count{dependency="payments",outcome="success"} 1',
    );
    expect(text).toContain(
      'lumi_outbound_request_duration_seconds_bucket{le="0.005",dependency="payments",outcome="short_circuited"} 1',
    );
    expect(text).toContain('lumi_outbound_retries_total{dependency="payments"} 1');
    expect(text).toContain('lumi_outbound_breaker_state{dependency="payments"} 1');
    expect(text).toContain(
      'lumi_outbound_rejections_total{dependency="payments",reason="bulkhead_full"} 1',
    );
  });

  it("when docs/metrics.md is read then its outbound rows name the same metrics and labels", () => {
    const doc = readFileSync(docUrl("metrics.md"), "utf8");
    const rows = [...doc.matchAll(/^\|\s*`(lumi_outbound_[a-z_]+)`\s*\|\s*(\w+)\s*\|([^|]*)\|/gm)];
    const documented = Object.fromEntries(
      rows.map(([, name, type, labels]) => [
        name,
        { type, labels: [...(labels ?? "").matchAll(/`([a-z_]+)`/g)].map((m) => m[1]) },
      ]),
    );
    expect(documented).toEqual({
      lumi_outbound_request_duration_seconds: {
        type: "histogram",
        labels: [
          "dependency",
          "outcome",
          "success",
          "error",
          "timeout",
          "rejected",
          "short_circuited",
        ],
      },
      lumi_outbound_retries_total: { type: "counter", labels: ["dependency"] },
      lumi_outbound_breaker_state: { type: "gauge", labels: ["dependency"] },
      lumi_outbound_rejections_total: {
        type: "counter",
        labels: ["dependency", "reason", "breaker_open", "bulkhead_full"],
      },
    });
  });
});
