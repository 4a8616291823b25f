import { type Attributes, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { QueryOptions } from "./database.ts";
import { sqlStateOf, toDatabaseError } from "./database-errors.ts";
import type { DbMetrics } from "./db-metrics.ts";
import { describeQuery, type QueryDescription } from "./query-summary.ts";

/** Wraps each statement in a span, a duration sample and the error mapping. */
export interface QueryInstrumentation {
  /** Runs `execute` for `sql`: traced, timed, its failure mapped to an AppError. */
  run<T>(sql: string, options: QueryOptions | undefined, execute: () => Promise<T>): Promise<T>;
}

/** Options of {@link createQueryInstrumentation}. */
export interface QueryInstrumentationOptions {
  readonly metrics: DbMetrics;
  /** Attributes of every span: `db.namespace`, `server.address`, `server.port`. */
  readonly attributes: Attributes;
}

const cacheLimit = 1_000;

/**
 * Creates the instrumentation of one database. Each statement becomes a
 * CLIENT span named by its `db.query.summary` (OpenTelemetry database
 * semconv: `db.system.name=postgresql`, `db.operation.name`,
 * `db.query.summary`, `db.response.status_code` and `error.type` on
 * failure), a child of the active span. The span is a leaf (the driver makes
 * no further calls), so it is never made active; with tracing off it is the
 * API's non-recording span and no attribute is built. The query text is not
 * recorded.
 */
export function createQueryInstrumentation(
  options: QueryInstrumentationOptions,
): QueryInstrumentation {
  const { metrics, attributes } = options;
  const tracer = trace.getTracer("@lumi/template/data");
  // SQL lives in code, so a handful of texts are described once each.
  const described = new Map<string, QueryDescription>();
  const describe = (sql: string): QueryDescription => {
    let description = described.get(sql);
    if (description === undefined) {
      description = describeQuery(sql);
      if (described.size < cacheLimit) described.set(sql, description);
    }
    return description;
  };

  return {
    async run(sql, queryOptions, execute) {
      const { operation, summary: derived } = describe(sql);
      const summary = queryOptions?.summary ?? derived;
      const span = tracer.startSpan(summary, { kind: SpanKind.CLIENT });
      const recording = span.isRecording();
      if (recording) {
        span.setAttributes({
          "db.system.name": "postgresql",
          "db.operation.name": operation,
          "db.query.summary": summary,
          ...attributes,
        });
      }
      const started = performance.now();
      try {
        return await execute();
      } catch (error) {
        const mapped = toDatabaseError(error);
        if (recording) {
          const state = sqlStateOf(error);
          if (state !== undefined) span.setAttribute("db.response.status_code", state);
          span.setAttribute("error.type", state ?? mapped.code);
          span.setStatus({ code: SpanStatusCode.ERROR, message: mapped.code });
        }
        throw mapped;
      } finally {
        metrics.queryDuration(summary, (performance.now() - started) / 1_000);
        span.end();
      }
    },
  };
}
