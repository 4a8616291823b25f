import {
  context,
  type DiagLogger,
  DiagLogLevel,
  diag,
  propagation,
  type TextMapPropagator,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  CompositePropagator,
  diagLogLevelFromString,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from "@opentelemetry/core";
import { OTLPTraceExporter as OTLPJsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { type Instrumentation, registerInstrumentations } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { B3InjectEncoding, B3Propagator } from "@opentelemetry/propagator-b3";
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { TelemetryConfig } from "../config/index.ts";
import type { Telemetry } from "./handle.ts";

/**
 * The instrumentations that run: outbound HTTP only. The public listener's
 * server spans are made by its tracing middleware (platform/http), the RPC
 * listener's by its interceptor, and the ops listener has none. Nothing else
 * is loaded: each instrumentation is a direct dependency chosen here, not
 * one of the forty an umbrella package imports (ADR 0017).
 */
function createInstrumentations(): Instrumentation[] {
  return [
    // node:http and node:https, outgoing side only: the incoming side built
    // every attribute and patched each request's and response's listener
    // methods for every request, sampled or not.
    new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
    // fetch (undici), which the template's outbound clients use.
    new UndiciInstrumentation(),
  ];
}

/** The running SDK and what the ESM loader hook must intercept for it. */
export interface Tracing extends Telemetry {
  /** The packages the instrumentations patch ("http", "https"...). */
  readonly hookedModules: readonly string[];
}

/** Options of {@link startTracing}. */
export interface StartTracingOptions {
  /** Replace the OTLP batch exporter (tests pass an in-memory exporter). */
  readonly spanProcessors?: SpanProcessor[];
}

/**
 * Starts tracing, traces only, from the SDK's parts rather than
 * `@opentelemetry/sdk-node`, whose import alone loads every exporter,
 * metrics and logs SDK and resource detector (ADR 0017): a tracer provider
 * with the configured sampler and the standard resource (`OTEL_RESOURCE_ATTRIBUTES`,
 * process and host attributes), an OTLP/HTTP exporter behind a batch
 * processor (`OTEL_BSP_*`), `AsyncLocalStorage` context, the propagators of
 * `OTEL_PROPAGATORS` (W3C trace context and baggage by default), and the
 * http and undici instrumentations. Metrics are Prometheus
 * (platform/metrics) and logs JSON lines on stdout.
 */
export function startTracing(config: TelemetryConfig, options: StartTracingOptions = {}): Tracing {
  diag.setLogger(stderrDiagLogger, diagLevelOf(getStringFromEnv("OTEL_LOG_LEVEL")));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const propagator = propagatorOf(getStringListFromEnv("OTEL_PROPAGATORS"));
  if (propagator !== undefined) propagation.setGlobalPropagator(propagator);
  const provider = new TracerProvider({
    resource: defaultResource()
      .merge(detectResources({ detectors: [envDetector, processDetector, hostDetector] }))
      .merge(
        resourceFromAttributes({
          "service.name": config.serviceName,
          "service.version": config.serviceVersion,
          "deployment.environment.name": config.deploymentEnvironment,
        }),
      ),
    sampler: samplerOf(config),
    spanLimits: spanLimitsFromEnv(),
    spanProcessors: options.spanProcessors ?? [batchProcessorOf(config)],
  });
  trace.setGlobalTracerProvider(provider);
  const instrumentations = createInstrumentations();
  const unregister = registerInstrumentations({ instrumentations, tracerProvider: provider });
  return {
    shutdown: async () => {
      unregister();
      await provider.shutdown();
    },
    hookedModules: instrumentations.flatMap((instrumentation) =>
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

/**
 * The OTLP/HTTP exporter for the configured protocol (headers, timeout and
 * compression from `OTEL_EXPORTER_OTLP_*`, read by the exporter) behind a
 * batch processor sized by `OTEL_BSP_*`.
 */
function batchProcessorOf(config: TelemetryConfig): SpanProcessor {
  const exporter =
    config.protocol === "http/json"
      ? new OTLPJsonTraceExporter({ url: config.tracesUrl })
      : new OTLPProtoTraceExporter({ url: config.tracesUrl });
  return new BatchSpanProcessor({
    exporter,
    maxQueueSize: positiveFromEnv("OTEL_BSP_MAX_QUEUE_SIZE"),
    scheduledDelayMillis: positiveFromEnv("OTEL_BSP_SCHEDULE_DELAY"),
    exportTimeoutMillis: positiveFromEnv("OTEL_BSP_EXPORT_TIMEOUT"),
    maxExportBatchSize: positiveFromEnv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"),
  });
}

/** The standard span limits (`OTEL_SPAN_*_LIMIT`, `OTEL_ATTRIBUTE_*_LIMIT`); unset means the SDK's default. */
function spanLimitsFromEnv() {
  return {
    attributeCountLimit:
      getNumberFromEnv("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT") ??
      getNumberFromEnv("OTEL_ATTRIBUTE_COUNT_LIMIT"),
    attributeValueLengthLimit:
      getNumberFromEnv("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT") ??
      getNumberFromEnv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"),
    eventCountLimit: getNumberFromEnv("OTEL_SPAN_EVENT_COUNT_LIMIT"),
    linkCountLimit: getNumberFromEnv("OTEL_SPAN_LINK_COUNT_LIMIT"),
  };
}

/** A positive number from the environment; anything else is reported and means the SDK's default. */
function positiveFromEnv(key: string): number | undefined {
  const value = getNumberFromEnv(key);
  if (value !== undefined && value <= 0) {
    diag.warn(`${key} (${value}) must be greater than 0; using the default`);
    return undefined;
  }
  return value;
}

const propagators: ReadonlyMap<string, () => TextMapPropagator> = new Map([
  ["tracecontext", () => new W3CTraceContextPropagator()],
  ["baggage", () => new W3CBaggagePropagator()],
  ["b3", () => new B3Propagator()],
  ["b3multi", () => new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER })],
]);

/**
 * The propagator `OTEL_PROPAGATORS` names (comma-separated: `tracecontext`,
 * `baggage`, `b3`, `b3multi`, or `none`); unset means W3C trace context and
 * baggage. Undefined means none (the API's no-op propagator stays). An
 * unknown name is reported and skipped.
 */
export function propagatorOf(names: readonly string[] | undefined): TextMapPropagator | undefined {
  const wanted = [...new Set(names ?? ["tracecontext", "baggage"])];
  if (wanted.includes("none")) return undefined;
  const chosen: TextMapPropagator[] = [];
  for (const name of wanted) {
    const create = propagators.get(name);
    if (create === undefined) diag.warn(`OTEL_PROPAGATORS: unknown propagator "${name}" skipped`);
    else chosen.push(create());
  }
  if (chosen.length === 0) return undefined;
  return chosen.length === 1 ? chosen[0] : new CompositePropagator({ propagators: chosen });
}

/** The diagnostics level `OTEL_LOG_LEVEL` names; warnings and errors by default. */
function diagLevelOf(name: string | undefined): DiagLogLevel {
  return name === undefined
    ? DiagLogLevel.WARN
    : (diagLogLevelFromString(name) ?? DiagLogLevel.WARN);
}

/** SDK diagnostics (a failed export, a bad option) as JSON lines on stderr. */
const stderrDiagLogger: DiagLogger = {
  error: (message, ...args) => writeDiag("error", message, args),
  warn: (message, ...args) => writeDiag("warn", message, args),
  info: (message, ...args) => writeDiag("info", message, args),
  debug: (message, ...args) => writeDiag("debug", message, args),
  verbose: (message, ...args) => writeDiag("trace", message, args),
};

function writeDiag(level: string, message: string, args: unknown[]): void {
  const detail = args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(" ");
  process.stderr.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), component: "opentelemetry", msg: detail === "" ? message : `${message} ${detail}` })}\n`,
  );
}
