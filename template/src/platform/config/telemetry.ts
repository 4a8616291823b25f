import { ConfigError, type ConfigIssue, type LoadConfigOptions, validateEnv } from "./load.ts";
import { configSchema } from "./schema.ts";

/** The samplers `OTEL_TRACES_SAMPLER` accepts (the standard names the Node SDK implements). */
export type TracesSampler =
  | "parentbased_traceidratio"
  | "parentbased_always_on"
  | "parentbased_always_off"
  | "traceidratio"
  | "always_on"
  | "always_off";

/** What the tracing preload needs, validated from the same schema as the rest. */
export interface TelemetryConfig {
  /** True when an OTLP endpoint is set and `OTEL_SDK_DISABLED` is not. */
  readonly enabled: boolean;
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly deploymentEnvironment: string;
  /** Where spans are posted (OTLP/HTTP); "" when no endpoint is set. */
  readonly tracesUrl: string;
  readonly protocol: "http/protobuf" | "http/json";
  readonly sampler: TracesSampler;
  /** The ratio of the traceidratio samplers. */
  readonly samplerRatio: number;
}

/** The keys tracing reads: its own and the service identity. */
const telemetrySchema = {
  OTEL_SERVICE_NAME: configSchema.OTEL_SERVICE_NAME,
  DEPLOYMENT_ENVIRONMENT: configSchema.DEPLOYMENT_ENVIRONMENT,
  OTEL_EXPORTER_OTLP_ENDPOINT: configSchema.OTEL_EXPORTER_OTLP_ENDPOINT,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: configSchema.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  OTEL_EXPORTER_OTLP_PROTOCOL: configSchema.OTEL_EXPORTER_OTLP_PROTOCOL,
  OTEL_TRACES_SAMPLER: configSchema.OTEL_TRACES_SAMPLER,
  OTEL_TRACES_SAMPLER_ARG: configSchema.OTEL_TRACES_SAMPLER_ARG,
  OTEL_SDK_DISABLED: configSchema.OTEL_SDK_DISABLED,
};

/**
 * Validates only the keys tracing reads, for the `--import` preload that
 * starts before the service's own configuration is loaded. Throws a
 * {@link ConfigError} naming each bad key; the preload then leaves tracing
 * off and the service's boot reports the same keys with any others.
 */
export function loadTelemetryConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: LoadConfigOptions,
): TelemetryConfig {
  const issues: ConfigIssue[] = [];
  const clean = validateEnv(env, telemetrySchema, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  const tracesUrl =
    clean.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ||
    (clean.OTEL_EXPORTER_OTLP_ENDPOINT === ""
      ? ""
      : `${clean.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`);
  return Object.freeze({
    enabled: tracesUrl !== "" && !clean.OTEL_SDK_DISABLED,
    serviceName: clean.OTEL_SERVICE_NAME,
    serviceVersion: options.version,
    deploymentEnvironment: clean.DEPLOYMENT_ENVIRONMENT,
    tracesUrl,
    protocol: clean.OTEL_EXPORTER_OTLP_PROTOCOL as TelemetryConfig["protocol"],
    sampler: clean.OTEL_TRACES_SAMPLER as TracesSampler,
    samplerRatio: clean.OTEL_TRACES_SAMPLER_ARG,
  });
}
