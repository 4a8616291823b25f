export type { Telemetry } from "./handle.ts";
export { getTelemetry } from "./handle.ts";
export type { TraceFields } from "./log-correlation.ts";
export {
  activeTraceFields,
  childWithTraceFields,
  traceMixin,
  traceMixinMergeStrategy,
} from "./log-correlation.ts";
