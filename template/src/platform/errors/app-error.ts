import { type ErrorCode, type ErrorSpec, errorCatalogue } from "./catalogue.ts";

/** One invalid field of a request: where, and why. */
export interface FieldViolation {
  /** Path of the field, dot-separated (`tags.3`), or empty for the whole input. */
  readonly field: string;
  /** Why the value is refused, safe to show to the client. */
  readonly description: string;
}

/** Options of an {@link AppError}. */
export interface AppErrorOptions {
  /** The underlying error, kept for logs only; never sent to clients. */
  cause?: unknown;
  /**
   * Whether the error is an expected outcome (a client mistake, a missing
   * record, a dependency down) rather than a bug. Defaults to true.
   */
  operational?: boolean;
  /** Field violations of a `VALIDATION_FAILED` error. */
  violations?: readonly FieldViolation[];
  /** Seconds after which the client may retry (`Retry-After`). */
  retryAfterSeconds?: number;
}

/**
 * The one error type of the service. Its code comes from the closed
 * catalogue; its message is safe to show to clients. Anything else thrown is
 * normalised by {@link AppError.from}.
 */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: ErrorCode;
  readonly operational: boolean;
  readonly violations: readonly FieldViolation[];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(message ?? errorCatalogue[code].title, { cause: options.cause });
    this.code = code;
    this.operational = options.operational ?? true;
    this.violations = options.violations ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** How this error surfaces on HTTP and RPC. */
  get spec(): ErrorSpec {
    return errorCatalogue[this.code];
  }

  /**
   * Normalises anything thrown into an AppError: an AppError is returned as
   * is; anything else becomes a non-operational `INTERNAL` error with a
   * generic message, the original kept as `cause` for the logs.
   */
  static from(error: unknown): AppError {
    if (error instanceof AppError) return error;
    return new AppError("INTERNAL", undefined, { cause: error, operational: false });
  }
}
