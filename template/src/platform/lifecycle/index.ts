export type {
  CheckResult,
  Readiness,
  ReadinessCheck,
  ReadinessOptions,
  ReadinessReport,
} from "./readiness.ts";
export { createReadiness } from "./readiness.ts";
export type { Resource, ResourceStack } from "./resources.ts";
export { createResourceStack } from "./resources.ts";
export type { DrainableListener, ShutdownOptions, ShutdownReport } from "./shutdown.ts";
export { createShutdown } from "./shutdown.ts";
