import CircuitBreaker from "opossum";
import { createFailureWindow, type WindowCounts } from "./failure-window.ts";
import type { BreakerState } from "./outbound-metrics.ts";

/** When a breaker opens and how long it stays open. */
export interface BreakerOptions {
  /** Failure rate (0–1] over the window at or above which the breaker opens. */
  readonly failureRateThreshold: number;
  /** Completed calls the window must hold before the rate is judged. */
  readonly minimumCalls: number;
  /** Length of the rolling window, in ms. */
  readonly windowMs: number;
  /** Time spent open before one trial call is let through, in ms. */
  readonly openMs: number;
}

/**
 * How a finished attempt counts: a `failure` against the dependency's
 * health, a `success` (it answered, even with an error of the caller's
 * making), or `ignored` (the caller gave up; a trial that ends so reopens).
 */
export type AttemptVerdict = "success" | "failure" | "ignored";

/** Options of {@link createBreaker}. */
export interface CreateBreakerOptions extends BreakerOptions {
  readonly name: string;
  /** Judges an error thrown by an attempt. */
  readonly judge: (error: unknown) => AttemptVerdict;
  /** Called on every state change, with the window that tripped it when it opens from closed. */
  readonly onStateChange: (state: BreakerState, tripped: WindowCounts | undefined) => void;
}

/** A circuit breaker guarding one dependency. */
export interface Breaker {
  /** Runs one attempt, or rejects at once (see {@link isBreakerRejection}) while open. */
  fire<T>(attempt: () => Promise<T>): Promise<T>;
  state(): BreakerState;
  /** Time left before a trial is let through; 0 unless open. */
  remainingOpenMs(): number;
  /** Stops the breaker's timers; later calls are refused. */
  shutdown(): void;
}

/**
 * Creates a circuit breaker on opossum's state machine: opossum owns the
 * states, the open timer, the single half-open trial (every other caller is
 * refused until the trial settles) and the refusal while open. The opening
 * rule is ours: opossum's own rule divides by every `fire` (refused and
 * in-flight calls included), compares strictly, and keeps its window across
 * state changes, so it is switched off and the rule below decides on the
 * completed call that crosses the threshold.
 */
export function createBreaker(options: CreateBreakerOptions): Breaker {
  const window = createFailureWindow(options.windowMs, () => performance.now());
  let openedAt = 0;
  let tripped: WindowCounts | undefined;

  const settle = (verdict: AttemptVerdict) => {
    // Only results that land while closed feed the window. Those landing while open
    // are stale, and none but the trial can land while half-open (every attempt ends
    // within its timeout, below openMs), so opossum alone settles the trial.
    if (!circuit.closed || verdict === "ignored") return;
    window.record(verdict === "failure");
    if (verdict !== "failure") return;
    const counts = window.counts();
    if (
      counts.calls >= options.minimumCalls &&
      counts.failures / counts.calls >= options.failureRateThreshold
    ) {
      tripped = counts;
      circuit.open();
    }
  };

  const circuit = new CircuitBreaker<[() => Promise<unknown>], unknown>(
    async (attempt) => {
      try {
        const value = await attempt();
        settle("success");
        return value;
      } catch (error) {
        settle(options.judge(error));
        throw error;
      }
    },
    {
      name: options.name,
      // Timeouts are the attempt policy's job; a second timer here would race it.
      timeout: false,
      resetTimeout: options.openMs,
      // Disables opossum's own opening rule while closed (see above).
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      errorThresholdPercentage: 100,
      allowWarmUp: false,
      rollingCountTimeout: options.windowMs,
      rollingCountBuckets: 10,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // Tells opossum which errors are not failures: it closes on them when half-open.
      errorFilter: (error: unknown) => options.judge(error) === "success",
    },
  );

  circuit.on("open", () => {
    window.reset();
    openedAt = performance.now();
    options.onStateChange("open", tripped);
    tripped = undefined;
  });
  circuit.on("halfOpen", () => options.onStateChange("half_open", undefined));
  circuit.on("close", () => {
    window.reset();
    options.onStateChange("closed", undefined);
  });

  return {
    fire: (attempt) => circuit.fire(attempt) as Promise<Awaited<ReturnType<typeof attempt>>>,
    state: () => (circuit.closed ? "closed" : circuit.halfOpen ? "half_open" : "open"),
    remainingOpenMs: () =>
      circuit.opened ? Math.max(0, openedAt + options.openMs - performance.now()) : 0,
    shutdown: () => circuit.shutdown(),
  };
}

/** Tells whether an error is the breaker refusing a call (open, trial in flight, or shut down). */
export function isBreakerRejection(error: unknown): boolean {
  return (
    error instanceof Error &&
    CircuitBreaker.isOurError(error) &&
    ["EOPENBREAKER", "ESHUTDOWN"].includes((error as Error & { code?: string }).code ?? "")
  );
}
