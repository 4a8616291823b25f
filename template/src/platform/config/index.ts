export { renderEnvExample } from "./env-example.ts";
export type { Config, ConfigIssue, ConfigKey, LoadConfigOptions } from "./load.ts";
export { ConfigError, describeConfig, loadConfig } from "./load.ts";
export { configSchema, secretKeys } from "./schema.ts";
export type { TelemetryConfig, TracesSampler } from "./telemetry.ts";
export { loadTelemetryConfig } from "./telemetry.ts";
