export type { Telemetry } from "./handle.ts";
export { getTelemetry } from "./handle.ts";
export type { HttpRouteSlot } from "./http-route.ts";
export { setHttpRoute, withHttpRouteSlot } from "./http-route.ts";
export type { TraceFields } from "./log-correlation.ts";
export {
  activeTraceFields,
  childWithTraceFields,
  isTraced,
  traceMixin,
  traceMixinMergeStrategy,
  tracingEnabled,
} from "./log-correlation.ts";
