import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createDbMetrics } from "./db-metrics.ts";

describe("createDbMetrics", () => {
  it("when created then the reserved names are served at zero", async () => {
    const text = await createRegistryText(() => {});
    expect(text).toContain('lumi_db_pool_connections{state="in_use"} 0');
    expect(text).toContain('lumi_db_pool_connections{state="idle"} 0');
    expect(text).toContain("lumi_db_pool_waiting 0");
    expect(text).toContain("# TYPE lumi_db_query_duration_seconds histogram");
  });

  it("when recording then the gauges and the histogram follow", async () => {
    const text = await createRegistryText((metrics) => {
      metrics.poolConnections(3, 7);
      metrics.poolWaiting(2);
      metrics.queryDuration("SELECT items", 0.002);
      metrics.queryDuration("SELECT items", 0.2);
    });
    expect(text).toContain('lumi_db_pool_connections{state="in_use"} 3');
    expect(text).toContain('lumi_db_pool_connections{state="idle"} 7');
    expect(text).toContain("lumi_db_pool_waiting 2");
    expect(text).toContain('lumi_db_query_duration_seconds_count{operation="SELECT items"} 2');
    expect(text).toContain(
      'lumi_db_query_duration_seconds_bucket{le="0.0025",operation="SELECT items"} 1',
    );
  });
});

async function createRegistryText(
  record: (metrics: ReturnType<typeof createDbMetrics>) => void,
): Promise<string> {
  const registry = new Registry();
  record(createDbMetrics(registry));
  return registry.metrics();
}
