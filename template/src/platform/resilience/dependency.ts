import {
  bulkhead,
  DelegateBackoff,
  handleWhen,
  type IRetryBackoffContext,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
} from "cockatiel";
import type { Logger } from "pino";
import { AppError } from "../errors/index.ts";
import type { CheckResult } from "../lifecycle/index.ts";
import { AttemptError, classifyAttempt, judgeAttempt, surfaceError } from "./attempt-error.ts";
import { fullJitterDelay } from "./backoff.ts";
import { type BreakerOptions, createBreaker } from "./breaker.ts";
import {
  type ConcurrencyOptions,
  type DependencySettings,
  dependencyDefaults,
  type RetryOptions,
  settingsProblems,
} from "./dependency-settings.ts";
import type { BreakerState, OutboundMetrics } from "./outbound-metrics.ts";

/** The declaration of one dependency; every setting left out takes its default. */
export interface DependencyOptions {
  /** Bounded, stable name: the `dependency` metric label and the env-name part. */
  readonly name: string;
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryOptions>;
  readonly breaker?: Partial<BreakerOptions>;
  readonly concurrency?: Partial<ConcurrencyOptions>;
  readonly critical?: boolean;
  readonly metrics: OutboundMetrics;
  /** Breaker state changes are logged here (warn when it opens, info otherwise). */
  readonly logger: Logger;
  /** Source of jitter in [0, 1); tests pin it. */
  readonly random?: () => number;
}

/** What an attempt function learns about its attempt. */
export interface AttemptInfo {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Time this attempt may take, in ms (to propagate as the upstream's deadline). */
  readonly timeoutMs: number;
}

/** One try at the dependency; it must stop when `signal` aborts. */
export type AttemptFn<T> = (signal: AbortSignal, info: AttemptInfo) => Promise<T>;

/** Per-call options of {@link Dependency.execute}. */
export interface ExecuteOptions {
  /** Whether the call may safely run more than once; only then is it retried. */
  readonly idempotent: boolean;
  /** The caller's own deadline (what is left of its incoming deadline), in ms. */
  readonly deadlineMs?: number;
  /** The caller's cancellation (a client that went away). */
  readonly signal?: AbortSignal;
}

/** A declared dependency: the one way outbound calls are made. */
export interface Dependency {
  readonly name: string;
  readonly baseUrl: string | undefined;
  readonly critical: boolean;
  /**
   * Runs `fn` under the policy: deadline → concurrency limit → retry →
   * circuit breaker → per-attempt timeout. Failures surface as AppError:
   * `UNAVAILABLE` (circuit open, concurrency limit), `DEADLINE_EXCEEDED`,
   * `CANCELLED` (the caller's signal), `DEPENDENCY_FAILED` (faults, with the
   * cause); an answer that is no fault (see UpstreamError) is rethrown as is.
   */
  execute<T>(fn: AttemptFn<T>, options: ExecuteOptions): Promise<T>;
  state(): BreakerState;
  /** Readiness check (fails while the breaker is open); only when `critical`. */
  readonly check: (() => CheckResult) | undefined;
  /** Stops the breaker's timers; later calls fail with `UNAVAILABLE`. */
  close(): void;
}

/** One call in progress. */
interface Call {
  readonly idempotent: boolean;
  readonly deadlineAt: number;
  readonly budgetMs: number;
  readonly callerSignal: AbortSignal | undefined;
  attempts: number;
}

/**
 * Declares a dependency and returns the policy every call to it runs under.
 * Throws a RangeError naming every invalid setting.
 */
export function defineDependency(options: DependencyOptions): Dependency {
  const settings: DependencySettings = {
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    timeoutMs: options.timeoutMs ?? dependencyDefaults.timeoutMs,
    retry: { ...dependencyDefaults.retry, ...options.retry },
    breaker: { ...dependencyDefaults.breaker, ...options.breaker },
    concurrency: { ...dependencyDefaults.concurrency, ...options.concurrency },
    critical: options.critical ?? dependencyDefaults.critical,
  };
  const { name, metrics, logger } = options;
  const problems = settingsProblems(name, settings);
  if (problems.length > 0) {
    const list = problems.map(([key, problem]) => `${key} ${problem}`).join("; ");
    throw new RangeError(`dependency ${name}: ${list}`);
  }
  const random = options.random ?? Math.random;
  let closed = false;

  const breaker = createBreaker({
    name,
    ...settings.breaker,
    judge: judgeAttempt,
    onStateChange(state, tripped) {
      metrics.breakerState(name, state);
      if (state === "open") {
        const fields = { dependency: name, openMs: settings.breaker.openMs, ...tripped };
        logger.warn(fields, tripped ? "dependency circuit opened" : "dependency trial call failed");
      } else if (state === "half_open") {
        logger.info({ dependency: name }, "dependency circuit half-open: one trial call");
      } else {
        logger.info({ dependency: name }, "dependency circuit closed");
      }
    },
  });
  metrics.breakerState(name, "closed");

  const concurrency = bulkhead(settings.concurrency.limit, settings.concurrency.queue);
  const attemptTimeout = timeout(settings.timeoutMs, {
    strategy: TimeoutStrategy.Aggressive,
    // A result may still be streaming from the signal's request: never abort on success.
    abortOnReturn: false,
  });
  const retries = retry(
    handleWhen(
      (error) =>
        error instanceof AttemptError &&
        error.retryDelayMs !== undefined &&
        breaker.state() !== "open",
    ),
    {
      maxAttempts: settings.retry.attempts - 1,
      backoff: new DelegateBackoff<IRetryBackoffContext<unknown>>(({ result }) =>
        "error" in result && result.error instanceof AttemptError
          ? (result.error.retryDelayMs ?? 0)
          : 0,
      ),
    },
  );
  retries.onRetry(() => metrics.retry(name));

  /** Classifies what an attempt threw and plans the next attempt, if any. */
  const toAttemptError = (error: unknown, call: Call, signal: AbortSignal): AttemptError => {
    const failure = classifyAttempt(error, call.callerSignal?.aborted === true, signal.aborted);
    if (call.idempotent && failure.retryable && call.attempts < settings.retry.attempts) {
      const { baseDelayMs, maxDelayMs } = settings.retry;
      const jitter = fullJitterDelay(call.attempts, baseDelayMs, maxDelayMs, random);
      const delay = Math.max(jitter, failure.retryAfterMs ?? 0);
      // A retry that could not start before the deadline is not scheduled at all.
      if (performance.now() + delay < call.deadlineAt) failure.retryDelayMs = delay;
    }
    return failure;
  };

  const attempt = async <T>(call: Call, fn: AttemptFn<T>, signal: AbortSignal): Promise<T> => {
    call.attempts += 1;
    if (signal.aborted) throw toAttemptError(signal.reason, call, signal);
    const remaining = call.deadlineAt - performance.now();
    const info = {
      attempt: call.attempts,
      timeoutMs: Math.max(1, Math.floor(Math.min(settings.timeoutMs, remaining))),
    };
    return breaker.fire(async () => {
      try {
        return await attemptTimeout.execute(
          ({ signal: attemptSignal }) => fn(attemptSignal, info),
          signal,
        );
      } catch (error) {
        throw toAttemptError(error, call, signal);
      }
    });
  };

  return {
    name,
    baseUrl: settings.baseUrl,
    critical: settings.critical,
    async execute(fn, callOptions) {
      if (closed) throw new AppError("UNAVAILABLE", `${name} is closed`);
      const started = performance.now();
      const budgetMs = Math.min(
        settings.retry.deadlineMs,
        callOptions.deadlineMs ?? Number.POSITIVE_INFINITY,
      );
      const call: Call = {
        idempotent: callOptions.idempotent,
        deadlineAt: started + budgetMs,
        budgetMs: Math.max(0, Math.floor(budgetMs)),
        callerSignal: callOptions.signal,
        attempts: 0,
      };
      const seconds = () => (performance.now() - started) / 1_000;
      try {
        if (budgetMs <= 0) throw new TaskCancelledError();
        const deadline = timeout(budgetMs, {
          strategy: TimeoutStrategy.Aggressive,
          abortOnReturn: false,
        });
        const value = await deadline.execute(
          ({ signal }) =>
            concurrency.execute(
              ({ signal: slotSignal }) =>
                retries.execute(
                  ({ signal: retrySignal }) => attempt(call, fn, retrySignal),
                  slotSignal,
                ),
              signal,
            ),
          callOptions.signal,
        );
        metrics.observe(name, "success", seconds());
        return value;
      } catch (error) {
        const surfaced = surfaceError(error, {
          name,
          timeoutMs: settings.timeoutMs,
          budgetMs: call.budgetMs,
          callerAborted: call.callerSignal?.aborted === true,
          remainingOpenMs: breaker.remainingOpenMs,
        });
        if (surfaced.reason !== undefined) metrics.rejected(name, surfaced.reason);
        metrics.observe(name, surfaced.outcome, seconds());
        throw surfaced.error;
      }
    },
    state: () => breaker.state(),
    check: settings.critical
      ? () =>
          breaker.state() === "open" ? { ok: false, reason: `${name} circuit open` } : { ok: true }
      : undefined,
    close() {
      closed = true;
      breaker.shutdown();
    },
  };
}
