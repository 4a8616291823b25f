export type { Metrics, MetricsOptions, RpcSystem } from "./registry.ts";
export { createMetrics, durationBuckets } from "./registry.ts";
