export type { Metrics } from "./registry.ts";
export { createMetrics } from "./registry.ts";
