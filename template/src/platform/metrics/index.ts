export type { Metrics, MetricsOptions, RpcSystem } from "./registry.ts";
export { createMetrics, durationBuckets, serverFaultCodes } from "./registry.ts";
