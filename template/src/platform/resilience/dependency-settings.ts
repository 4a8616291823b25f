import type { BreakerOptions } from "./breaker.ts";

/** How often, and for how long, a call is tried. */
export interface RetryOptions {
  /** Attempts per call, the first included (1 disables retries). */
  readonly attempts: number;
  /** Ceiling of the first retry's jittered delay, in ms; doubles per retry. */
  readonly baseDelayMs: number;
  /** Upper bound of any jittered delay, in ms (a longer `Retry-After` still wins). */
  readonly maxDelayMs: number;
  /** Overall deadline of a call, every attempt and delay included, in ms. */
  readonly deadlineMs: number;
}

/** How many calls may be in flight at once. */
export interface ConcurrencyOptions {
  /** Calls in flight at once. */
  readonly limit: number;
  /** Calls allowed to wait for a slot; beyond it a call is refused at once. */
  readonly queue: number;
}

/** The tunable part of a dependency's declaration (what configuration may override). */
export interface DependencySettings {
  /** Where the dependency lives (HTTP and Connect clients need it). */
  readonly baseUrl?: string;
  /** Timeout of each attempt, in ms. */
  readonly timeoutMs: number;
  readonly retry: RetryOptions;
  readonly breaker: BreakerOptions;
  readonly concurrency: ConcurrencyOptions;
  /** Whether readiness fails while this dependency's breaker is open. */
  readonly critical: boolean;
}

/** Settings used for every key a declaration leaves out. */
export const dependencyDefaults = {
  timeoutMs: 2_000,
  retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, deadlineMs: 5_000 },
  breaker: { failureRateThreshold: 0.5, minimumCalls: 20, windowMs: 10_000, openMs: 30_000 },
  concurrency: { limit: 100, queue: 0 },
  critical: false,
} as const satisfies DependencySettings;

/** Largest delay a Node.js timer accepts, in ms. */
const maxTimerMs = 2_147_483_647;

/** Dependency names: metric label values and env-name parts, so short and plain. */
const namePattern = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * Lists what is wrong with a dependency's name and settings, as
 * `[setting, problem]` pairs; empty when they are valid.
 */
export function settingsProblems(name: string, settings: DependencySettings): [string, string][] {
  const problems: [string, string][] = [];
  const integer = (key: string, value: number, min: number, max = maxTimerMs) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push([key, `must be an integer from ${min} to ${max}, got ${value}`]);
    }
  };
  if (!namePattern.test(name)) {
    problems.push(["name", "must match [a-z][a-z0-9_-]{0,62} (a bounded metric label value)"]);
  }
  if (settings.baseUrl !== undefined && !URL.canParse(settings.baseUrl)) {
    problems.push(["baseUrl", `must be an absolute URL, got ${settings.baseUrl}`]);
  }
  integer("timeoutMs", settings.timeoutMs, 1);
  integer("retry.attempts", settings.retry.attempts, 1, 10);
  integer("retry.baseDelayMs", settings.retry.baseDelayMs, 0);
  integer("retry.maxDelayMs", settings.retry.maxDelayMs, settings.retry.baseDelayMs);
  integer("retry.deadlineMs", settings.retry.deadlineMs, 1);
  const rate = settings.breaker.failureRateThreshold;
  if (!(rate > 0 && rate <= 1)) {
    problems.push(["breaker.failureRateThreshold", `must be in (0, 1], got ${rate}`]);
  }
  integer("breaker.minimumCalls", settings.breaker.minimumCalls, 1, 1_000_000);
  integer("breaker.windowMs", settings.breaker.windowMs, 10);
  // An attempt always ends within timeoutMs, so with openMs above it no call
  // started before the breaker opened can settle the half-open trial.
  integer("breaker.openMs", settings.breaker.openMs, settings.timeoutMs + 1);
  integer("concurrency.limit", settings.concurrency.limit, 1, 1_000_000);
  integer("concurrency.queue", settings.concurrency.queue, 0, 1_000_000);
  return problems;
}
