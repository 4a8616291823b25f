import { type DiagLogger, DiagLogLevel, diag } from "@opentelemetry/api";
import {
  getNodeAutoInstrumentations,
  type InstrumentationConfigMap,
} from "@opentelemetry/auto-instrumentations-node";
import { OTLPTraceExporter as OTLPJsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace";
import type { TelemetryConfig } from "../config/index.ts";
import type { Telemetry } from "./handle.ts";

const off = { enabled: false } as const;

/**
 * Every instrumentation auto-instrumentations-node knows, each switched on
 * or off explicitly: only what the template uses runs. `satisfies Required`
 * makes the type check fail when an upgrade adds one nobody has decided on.
 */
const instrumentationConfig = {
  // Outbound node:http and node:https only. The public listener's server
  // spans are made by its tracing middleware (platform/http), the RPC
  // listener's by its interceptor, and the ops listener has none: the
  // incoming side built every attribute and patched each request's and
  // response's listener methods for every request, sampled or not.
  "@opentelemetry/instrumentation-http": {
    enabled: true,
    disableIncomingRequestInstrumentation: true,
  },
  // Off: its layer wrapping costs every request more than the handler span is
  // worth. Routes name the HTTP server span themselves (setHttpRoute).
  "@opentelemetry/instrumentation-express": off,
  "@opentelemetry/instrumentation-undici": { enabled: true },
  // Express 5 routes through the `router` package: instrumenting it too traces every layer twice.
  "@opentelemetry/instrumentation-router": off,
  // Re-parses every log line; correlation comes from the logger's own mixin.
  "@opentelemetry/instrumentation-pino": off,
  "@opentelemetry/instrumentation-fs": off,
  "@opentelemetry/instrumentation-dns": off,
  "@opentelemetry/instrumentation-net": off,
  "@opentelemetry/instrumentation-amqplib": off,
  "@opentelemetry/instrumentation-aws-lambda": off,
  "@opentelemetry/instrumentation-aws-sdk": off,
  "@opentelemetry/instrumentation-bunyan": off,
  "@opentelemetry/instrumentation-cassandra-driver": off,
  "@opentelemetry/instrumentation-connect": off,
  "@opentelemetry/instrumentation-cucumber": off,
  "@opentelemetry/instrumentation-dataloader": off,
  "@opentelemetry/instrumentation-generic-pool": off,
  "@opentelemetry/instrumentation-graphql": off,
  "@opentelemetry/instrumentation-grpc": off,
  "@opentelemetry/instrumentation-hapi": off,
  "@opentelemetry/instrumentation-host-metrics": off,
  "@opentelemetry/instrumentation-ioredis": off,
  "@opentelemetry/instrumentation-kafkajs": off,
  "@opentelemetry/instrumentation-knex": off,
  "@opentelemetry/instrumentation-koa": off,
  "@opentelemetry/instrumentation-lru-memoizer": off,
  "@opentelemetry/instrumentation-memcached": off,
  "@opentelemetry/instrumentation-mongodb": off,
  "@opentelemetry/instrumentation-mongoose": off,
  "@opentelemetry/instrumentation-mysql": off,
  "@opentelemetry/instrumentation-mysql2": off,
  "@opentelemetry/instrumentation-nestjs-core": off,
  "@opentelemetry/instrumentation-openai": off,
  "@opentelemetry/instrumentation-oracledb": off,
  "@opentelemetry/instrumentation-pg": off,
  "@opentelemetry/instrumentation-redis": off,
  "@opentelemetry/instrumentation-restify": off,
  "@opentelemetry/instrumentation-runtime-node": off,
  "@opentelemetry/instrumentation-socket.io": off,
  "@opentelemetry/instrumentation-tedious": off,
  "@opentelemetry/instrumentation-winston": off,
} satisfies Required<InstrumentationConfigMap>;

/** The instrumentations that run, by their package name. */
const enabledInstrumentations: readonly string[] = Object.entries(instrumentationConfig)
  .filter(([, config]) => config.enabled)
  .map(([name]) => name);

/** The running SDK and what the ESM loader hook must intercept for it. */
export interface Tracing extends Telemetry {
  /** The packages the instrumentations patch ("express", "http"...). */
  readonly hookedModules: readonly string[];
}

/** Options of {@link startTracing}. */
export interface StartTracingOptions {
  /** Replace the OTLP batch exporter (tests pass an in-memory exporter). */
  readonly spanProcessors?: SpanProcessor[];
}

/**
 * Starts the OpenTelemetry Node SDK for traces only: the http and undici
 * instrumentations, the configured sampler, an OTLP/HTTP exporter
 * behind a batch processor (`OTEL_BSP_*`), W3C trace context propagation.
 * No metrics reader and no logs exporter are started: metrics are
 * Prometheus (platform/metrics) and logs are JSON lines on stdout.
 */
export function startTracing(config: TelemetryConfig, options: StartTracingOptions = {}): Tracing {
  diag.setLogger(stderrDiagLogger, DiagLogLevel.WARN);
  const instrumentations = getNodeAutoInstrumentations(instrumentationConfig);
  // Belt and braces: whatever is not on the list is switched off again.
  const wanted = new Set(enabledInstrumentations);
  const enabled = instrumentations.filter((i) => wanted.has(i.instrumentationName));
  for (const instrumentation of instrumentations) {
    if (!wanted.has(instrumentation.instrumentationName)) instrumentation.disable();
  }
  const sdk = new NodeSDK({
    resource: defaultResource().merge(
      resourceFromAttributes({
        "service.name": config.serviceName,
        "service.version": config.serviceVersion,
        "deployment.environment.name": config.deploymentEnvironment,
      }),
    ),
    serviceName: config.serviceName,
    sampler: samplerOf(config),
    ...(options.spanProcessors === undefined
      ? { traceExporter: exporterOf(config) }
      : { spanProcessors: options.spanProcessors }),
    // Empty lists, not undefined: otherwise NodeSDK starts OTLP metrics and logs exporters.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: enabled,
  });
  sdk.start();
  return {
    shutdown: () => sdk.shutdown(),
    hookedModules: enabled.flatMap((instrumentation) =>
      ((instrumentation as Partial<ModuleDefinitions>).getModuleDefinitions?.() ?? []).map(
        (definition) => definition.name,
      ),
    ),
  };
}

/** The part of `InstrumentationBase` that names the modules an instrumentation patches. */
interface ModuleDefinitions {
  getModuleDefinitions(): readonly { readonly name: string }[];
}

/** The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` name. */
function samplerOf(config: TelemetryConfig): Sampler {
  switch (config.sampler) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(config.samplerRatio);
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.samplerRatio) });
  }
}

/** The OTLP/HTTP exporter for the configured protocol (headers, timeout, compression: `OTEL_EXPORTER_OTLP_*`). */
function exporterOf(config: TelemetryConfig) {
  return config.protocol === "http/json"
    ? new OTLPJsonTraceExporter({ url: config.tracesUrl })
    : new OTLPProtoTraceExporter({ url: config.tracesUrl });
}

/** SDK warnings and errors (a failed export, a bad option) as JSON lines on stderr. */
const stderrDiagLogger: DiagLogger = {
  error: (message, ...args) => writeDiag("error", message, args),
  warn: (message, ...args) => writeDiag("warn", message, args),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

function writeDiag(level: string, message: string, args: unknown[]): void {
  const detail = args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(" ");
  process.stderr.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), component: "opentelemetry", msg: detail === "" ? message : `${message} ${detail}` })}\n`,
  );
}
