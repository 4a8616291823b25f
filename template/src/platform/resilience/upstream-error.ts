/** Options of {@link UpstreamError}. */
export interface UpstreamErrorOptions {
  /** Whether another attempt may succeed; retried only when the call is also idempotent. */
  readonly retryable: boolean;
  /** Whether it counts against the dependency's health (a circuit breaker failure). */
  readonly fault: boolean;
  /** How long the dependency asked us to wait before trying again, in ms. */
  readonly retryAfterMs?: number;
  /** HTTP status the dependency answered with, when there was one. */
  readonly status?: number;
  /** The underlying error, kept for logs. */
  readonly cause?: unknown;
}

/**
 * A failed attempt, labelled with how it counts. Attempt functions throw it
 * to tell the policy whether to retry and whether the breaker should count
 * it; anything else they throw counts as a retryable fault. An UpstreamError
 * that is neither a fault nor retryable (a 404, a `not_found`) is the
 * dependency's answer: the policy rethrows its `cause` unchanged.
 */
export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  readonly retryable: boolean;
  readonly fault: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(message: string, options: UpstreamErrorOptions) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.fault = options.fault;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}
