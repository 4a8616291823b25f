import { Gauge, Histogram, type Registry } from "prom-client";

/**
 * What the data layer records. The composition root implements it on the
 * service's registry with {@link createDbMetrics}; tests pass a recorder.
 */
export interface DbMetrics {
  /** Connections of the pool now: checked out, and open but idle. */
  poolConnections(inUse: number, idle: number): void;
  /** Callers waiting for a free connection now. */
  poolWaiting(waiting: number): void;
  /** One statement, errors included; `operation` is its summary (`SELECT items`). */
  queryDuration(operation: string, seconds: number): void;
}

/** A {@link DbMetrics} that records nothing. */
export const noopDbMetrics: DbMetrics = {
  poolConnections() {},
  poolWaiting() {},
  queryDuration() {},
};

/** Bucket bounds of `lumi_db_query_duration_seconds`: database calls are faster than requests. */
export const dbQueryDurationBuckets: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * Registers the three database metrics reserved in docs/metrics.md
 * (`lumi_db_pool_connections{state}`, `lumi_db_pool_waiting`,
 * `lumi_db_query_duration_seconds{operation}`) on `registry` and returns a
 * {@link DbMetrics} recording into them. Call it once per registry.
 */
export function createDbMetrics(registry: Registry): DbMetrics {
  const connections = new Gauge({
    name: "lumi_db_pool_connections",
    help: "Connections of the database pool by state (in_use, idle).",
    labelNames: ["state"],
    registers: [registry],
  });
  const waiting = new Gauge({
    name: "lumi_db_pool_waiting",
    help: "Callers waiting for a free database connection.",
    registers: [registry],
  });
  const duration = new Histogram({
    name: "lumi_db_query_duration_seconds",
    help: "Duration of database statements by operation (db.query.summary), errors included.",
    labelNames: ["operation"],
    buckets: [...dbQueryDurationBuckets],
    registers: [registry],
  });
  const inUse = connections.labels("in_use");
  const idle = connections.labels("idle");
  inUse.set(0);
  idle.set(0);
  waiting.set(0);
  const children = new Map<string, { observe(value: number): void }>();

  return {
    poolConnections(active, open) {
      inUse.set(active);
      idle.set(open);
    },
    poolWaiting(count) {
      waiting.set(count);
    },
    queryDuration(operation, seconds) {
      let child = children.get(operation);
      if (child === undefined) {
        child = duration.labels(operation);
        children.set(operation, child);
      }
      child.observe(seconds);
    },
  };
}
