import { BulkheadRejectedError, TaskCancelledError } from "cockatiel";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors/index.ts";
import {
  classifyAttempt,
  judgeAttempt,
  type SurfaceContext,
  surfaceError,
} from "./attempt-error.ts";
import { UpstreamError } from "./upstream-error.ts";

const context: SurfaceContext = {
  name: "payments",
  timeoutMs: 200,
  budgetMs: 1_000,
  callerAborted: false,
  remainingOpenMs: () => 2_500,
};

describe("classifyAttempt and judgeAttempt", () => {
  it("when the caller aborted then the attempt is cancelled: not retried, ignored by the breaker", () => {
    const failure = classifyAttempt(new Error("aborted"), true, true);
    expect([failure.kind, failure.retryable, judgeAttempt(failure)]).toEqual([
      "cancelled",
      false,
      "ignored",
    ]);
  });

  it("when the attempt timed out then it is a retryable fault; at the deadline it is not retryable", () => {
    const own = classifyAttempt(new TaskCancelledError(), false, false);
    expect([own.kind, own.retryable, judgeAttempt(own)]).toEqual(["timeout", true, "failure"]);
    const deadline = classifyAttempt(new TaskCancelledError(), false, true);
    expect([deadline.kind, deadline.retryable, judgeAttempt(deadline)]).toEqual([
      "timeout",
      false,
      "failure",
    ]);
  });

  it("when an UpstreamError labels the failure then its labels are kept", () => {
    const answer = classifyAttempt(
      new UpstreamError("payments answered 429", {
        fault: false,
        retryable: true,
        retryAfterMs: 3_000,
      }),
      false,
      false,
    );
    expect([answer.retryable, answer.retryAfterMs, judgeAttempt(answer)]).toEqual([
      true,
      3_000,
      "success",
    ]);
  });

  it("when anything else is thrown then it is a retryable fault", () => {
    const failure = classifyAttempt(new TypeError("fetch failed"), false, false);
    expect([failure.fault, failure.retryable, judgeAttempt(failure)]).toEqual([
      true,
      true,
      "failure",
    ]);
  });
});

describe("surfaceError", () => {
  const surfaced = (error: unknown, extra: Partial<SurfaceContext> = {}) =>
    surfaceError(error, { ...context, ...extra });

  it("when the bulkhead is full then UNAVAILABLE, rejected, bulkhead_full", () => {
    const { error, outcome, reason } = surfaced(new BulkheadRejectedError(2, 0));
    expect([(error as AppError).code, (error as AppError).message, outcome, reason]).toEqual([
      "UNAVAILABLE",
      "payments is at its concurrency limit",
      "rejected",
      "bulkhead_full",
    ]);
  });

  it("when a fault carries Retry-After then DEPENDENCY_FAILED keeps it in whole seconds", () => {
    const failure = classifyAttempt(
      new UpstreamError("payments answered 503", {
        fault: true,
        retryable: true,
        retryAfterMs: 1_500,
        status: 503,
      }),
      false,
      false,
    );
    const { error, outcome } = surfaced(failure);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe("payments failed (503)");
    expect((error as AppError).retryAfterSeconds).toBe(2);
    expect((error as AppError).cause).toBeInstanceOf(UpstreamError);
    expect(outcome).toBe("error");
  });

  it("when an answer is neither fault nor retryable then its cause, or itself, is returned", () => {
    const original = new Error("not found");
    const withCause = new UpstreamError("x", { fault: false, retryable: false, cause: original });
    expect(surfaced(classifyAttempt(withCause, false, false))).toEqual({
      error: original,
      outcome: "success",
    });
    const bare = new UpstreamError("x", { fault: false, retryable: false });
    expect(surfaced(classifyAttempt(bare, false, false)).error).toBe(bare);
  });

  it("when the caller aborted then CANCELLED whatever escaped", () => {
    const { error, outcome } = surfaced(new TaskCancelledError(), { callerAborted: true });
    expect([(error as AppError).code, outcome]).toEqual(["CANCELLED", "error"]);
  });
});
