// lumi:begin rpc
export type { Metrics, MetricsOptions, RpcSystem } from "./registry.ts";
export { createMetrics, durationBuckets, httpMethodOf, serverFaultCodes } from "./registry.ts";
// lumi:end rpc
// lumi:begin !rpc
// export type { Metrics, MetricsOptions } from "./registry.ts";
// export { createMetrics, durationBuckets, httpMethodOf } from "./registry.ts";
// lumi:end !rpc
