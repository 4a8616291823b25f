import {
  INVALID_SPAN_CONTEXT,
  ProxyTracer,
  type Span,
  type SpanContext,
  trace,
} from "@opentelemetry/api";
import type { Logger } from "pino";

/** The fields that tie a log line to a trace (OpenTelemetry log correlation). */
export interface TraceFields {
  readonly trace_id: string;
  readonly span_id: string;
  /** "01" when the trace is sampled (exported), "00" when not. */
  readonly trace_flags: string;
}

/** Marks a logger whose bindings already carry trace fields (children inherit it). */
const correlated = Symbol.for("lumi.log.traceFields");

const noFields: Readonly<Record<string, never>> = Object.freeze({});

/**
 * Whether a span context belongs to a trace. The no-op API's (tracing off)
 * is recognised without checking its ids against their hex patterns, which
 * showed in the RPC call's profile.
 */
function isValid(spanContext: SpanContext): boolean {
  return spanContext !== INVALID_SPAN_CONTEXT && trace.isSpanContextValid(spanContext);
}

/**
 * Whether a tracer provider is registered (the tracing preload started the
 * SDK). Without one the API hands out proxy tracers whose spans are all
 * invalid, so the listeners leave their tracing hooks out altogether rather
 * than run them for nothing on every request and call.
 */
export function tracingEnabled(): boolean {
  return !(trace.getTracer("@lumi/template") instanceof ProxyTracer);
}

/** Whether a span belongs to a trace: false for every span when tracing is off. */
export function isTraced(span: Span): boolean {
  return isValid(span.spanContext());
}

/** The trace fields of a span context, or undefined when it is not valid. */
function fieldsOf(spanContext: SpanContext | undefined): TraceFields | undefined {
  if (spanContext === undefined || !isValid(spanContext)) return undefined;
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: spanContext.traceFlags & 1 ? "01" : "00",
  };
}

/**
 * The trace and span ids of the active span, or undefined when there is
 * none (always so when tracing is off: one context lookup).
 */
export function activeTraceFields(): TraceFields | undefined {
  return fieldsOf(trace.getActiveSpan()?.spanContext());
}

/**
 * A child of `logger` with `bindings` and, when a span is active, its trace
 * fields. Such a child keeps the fields for lines written later outside the
 * span's context (an access line on response close), and the logger mixin
 * skips it.
 */
export function childWithTraceFields(logger: Logger, bindings: Record<string, unknown>): Logger {
  const fields = activeTraceFields();
  if (fields === undefined) return logger.child(bindings);
  const child = logger.child({ ...bindings, ...fields });
  (child as unknown as Record<symbol, boolean>)[correlated] = true;
  return child;
}

/**
 * A pino `mixin`: adds the active span's trace fields to lines written by a
 * logger that does not carry them already. Returns a shared empty object
 * when there is nothing to add (see {@link traceMixinMergeStrategy}).
 */
export function traceMixin(_line: object, _level: number, logger: Logger): object {
  if ((logger as unknown as Record<symbol, boolean | undefined>)[correlated]) return noFields;
  return activeTraceFields() ?? noFields;
}

/**
 * The pino `mixinMergeStrategy` paired with {@link traceMixin}: the line's
 * own fields win, and a line without trace fields is passed through as is
 * (pino's default would copy it).
 */
export function traceMixinMergeStrategy(line: object, mixin: object): object {
  return mixin === noFields ? line : { ...mixin, ...line };
}
