import { BulkheadRejectedError, TaskCancelledError } from "cockatiel";
import { AppError } from "../errors/index.ts";
import { type AttemptVerdict, isBreakerRejection } from "./breaker.ts";
import type { OutboundOutcome, RejectionReason } from "./outbound-metrics.ts";
import { UpstreamError } from "./upstream-error.ts";

/** Why an attempt ended without a value. */
export type AttemptFailureKind = "timeout" | "cancelled" | "upstream";

/**
 * A failed attempt as the policy sees it: what happened, whether it counts
 * against the dependency, whether it may be retried and, once planned, the
 * delay before the next attempt. Internal to the resilience area.
 */
export class AttemptError extends Error {
  override readonly name = "AttemptError";
  readonly kind: AttemptFailureKind;
  readonly fault: boolean;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** Set when a retry is planned: the delay before it, in ms. */
  retryDelayMs: number | undefined;

  constructor(kind: AttemptFailureKind, fault: boolean, retryable: boolean, cause: unknown) {
    super(`attempt failed: ${kind}`, { cause });
    this.kind = kind;
    this.fault = fault;
    this.retryable = retryable;
    this.retryAfterMs = cause instanceof UpstreamError ? cause.retryAfterMs : undefined;
  }
}

/**
 * Classifies what an attempt threw. `callerAborted`: the caller's signal
 * fired; `deadlinePassed`: the call's overall deadline did. Anything not
 * labelled by an UpstreamError counts as a retryable fault (a network error).
 */
export function classifyAttempt(
  error: unknown,
  callerAborted: boolean,
  deadlinePassed: boolean,
): AttemptError {
  if (callerAborted) return new AttemptError("cancelled", false, false, error);
  if (deadlinePassed) return new AttemptError("timeout", true, false, error);
  if (error instanceof TaskCancelledError) return new AttemptError("timeout", true, true, error);
  if (error instanceof UpstreamError) {
    return new AttemptError("upstream", error.fault, error.retryable, error);
  }
  return new AttemptError("upstream", true, true, error);
}

/** How the breaker counts what an attempt threw (see AttemptVerdict). */
export function judgeAttempt(error: unknown): AttemptVerdict {
  if (!(error instanceof AttemptError)) return "failure";
  if (error.kind === "cancelled") return "ignored";
  return error.fault ? "failure" : "success";
}

/** What {@link surfaceError} needs to know about the call. */
export interface SurfaceContext {
  readonly name: string;
  readonly timeoutMs: number;
  readonly budgetMs: number;
  readonly callerAborted: boolean;
  /** Time left before the breaker lets a trial through, in ms. */
  readonly remainingOpenMs: () => number;
}

/** What the caller sees, and how the call is recorded. */
export interface Surfaced {
  readonly error: unknown;
  readonly outcome: OutboundOutcome;
  readonly reason?: RejectionReason;
}

/**
 * Turns what escaped the policy into what the caller sees: an AppError
 * (`CANCELLED`, `UNAVAILABLE`, `DEADLINE_EXCEEDED`, `DEPENDENCY_FAILED`,
 * with the attempt's error as `cause`), or the dependency's own answer
 * unchanged when it is neither a fault nor retryable.
 */
export function surfaceError(error: unknown, context: SurfaceContext): Surfaced {
  const { name } = context;
  if (context.callerAborted) {
    const cancelled = new AppError("CANCELLED", `${name} call cancelled`, { cause: error });
    return { error: cancelled, outcome: "error" };
  }
  if (error instanceof BulkheadRejectedError) {
    const message = `${name} is at its concurrency limit`;
    const full = new AppError("UNAVAILABLE", message, { cause: error });
    return { error: full, outcome: "rejected", reason: "bulkhead_full" };
  }
  if (isBreakerRejection(error)) {
    const retryAfterSeconds = Math.max(1, Math.ceil(context.remainingOpenMs() / 1_000));
    const open = new AppError("UNAVAILABLE", `${name} circuit open`, {
      cause: error,
      retryAfterSeconds,
    });
    return { error: open, outcome: "short_circuited", reason: "breaker_open" };
  }
  const attempt = error instanceof AttemptError ? error : undefined;
  if (error instanceof TaskCancelledError || attempt?.kind === "timeout") {
    // A retryable timeout is the attempt's own; any other is the call's deadline.
    const message = attempt?.retryable
      ? `${name} did not answer within ${context.timeoutMs} ms`
      : `${name} call exceeded its ${context.budgetMs} ms deadline`;
    const late = new AppError("DEADLINE_EXCEEDED", message, { cause: error });
    return { error: late, outcome: "timeout" };
  }
  if (attempt !== undefined && !attempt.fault && !attempt.retryable) {
    const answer = attempt.cause instanceof UpstreamError ? attempt.cause.cause : attempt.cause;
    // The dependency answered: recorded like the 4xx answers the HTTP client returns.
    return { error: answer ?? attempt.cause, outcome: "success" };
  }
  const cause = attempt === undefined ? error : attempt.cause;
  const status = cause instanceof UpstreamError && cause.status !== undefined;
  const retryAfterMs = attempt?.retryAfterMs;
  const failed = new AppError(
    "DEPENDENCY_FAILED",
    status ? `${name} failed (${(cause as UpstreamError).status})` : `${name} failed`,
    {
      cause,
      ...(retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(retryAfterMs / 1_000) }),
    },
  );
  return { error: failed, outcome: "error" };
}
