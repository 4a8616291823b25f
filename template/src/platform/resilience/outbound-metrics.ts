import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** How one outbound call ended (`outcome` label of `lumi_outbound_request_duration_seconds`). */
export type OutboundOutcome = "success" | "error" | "timeout" | "rejected" | "short_circuited";

/** Why a call was refused without reaching the dependency (`reason` label). */
export type RejectionReason = "breaker_open" | "bulkhead_full";

/** State of a dependency's circuit breaker. */
export type BreakerState = "closed" | "open" | "half_open";

/** Value of `lumi_outbound_breaker_state` for each state. */
export const breakerStateValues = { closed: 0, half_open: 1, open: 2 } as const satisfies Record<
  BreakerState,
  number
>;

/**
 * What the outbound policy records, per dependency. The composition root
 * implements it on the service's registry; tests pass a recorder.
 */
export interface OutboundMetrics {
  /** One call as the caller saw it, retries included. */
  observe(dependency: string, outcome: OutboundOutcome, seconds: number): void;
  /** One retry scheduled (attempts after the first). */
  retry(dependency: string): void;
  /** The breaker changed state (also called once at definition with `closed`). */
  breakerState(dependency: string, state: BreakerState): void;
  /** A call refused before reaching the dependency. */
  rejected(dependency: string, reason: RejectionReason): void;
}

/** Bucket bounds of `lumi_outbound_request_duration_seconds`, in seconds. */
export const outboundDurationBuckets: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/**
 * Registers the four outbound metrics reserved in docs/metrics.md on
 * `registry` and returns an {@link OutboundMetrics} recording into them.
 * Call it once per registry.
 */
export function createOutboundMetrics(registry: Registry): OutboundMetrics {
  const duration = new Histogram({
    name: "lumi_outbound_request_duration_seconds",
    help: "Duration of outbound calls per dependency, retries included, by outcome.",
    labelNames: ["dependency", "outcome"],
    buckets: [...outboundDurationBuckets],
    registers: [registry],
  });
  const retries = new Counter({
    name: "lumi_outbound_retries_total",
    help: "Outbound retries scheduled per dependency (attempts after the first).",
    labelNames: ["dependency"],
    registers: [registry],
  });
  const state = new Gauge({
    name: "lumi_outbound_breaker_state",
    help: "Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open.",
    labelNames: ["dependency"],
    registers: [registry],
  });
  const rejections = new Counter({
    name: "lumi_outbound_rejections_total",
    help: "Outbound calls refused without reaching the dependency, by reason.",
    labelNames: ["dependency", "reason"],
    registers: [registry],
  });
  const children = new Map<string, { observe(value: number): void }>();

  return {
    observe(dependency, outcome, seconds) {
      const key = `${dependency}\u0000${outcome}`;
      let child = children.get(key);
      if (child === undefined) {
        child = duration.labels(dependency, outcome);
        children.set(key, child);
      }
      child.observe(seconds);
    },
    retry(dependency) {
      retries.labels(dependency).inc();
    },
    breakerState(dependency, value) {
      state.labels(dependency).set(breakerStateValues[value]);
    },
    rejected(dependency, reason) {
      rejections.labels(dependency, reason).inc();
    },
  };
}
