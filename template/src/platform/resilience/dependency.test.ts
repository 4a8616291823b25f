import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { recordingMetrics } from "../../../test/fault-server.ts";
import { AppError } from "../errors/index.ts";
import {
  type AttemptInfo,
  type Dependency,
  type DependencyOptions,
  defineDependency,
} from "./dependency.ts";
import { UpstreamError } from "./upstream-error.ts";

const logger = pino({ level: "silent" });
const defined: Dependency[] = [];
afterEach(() => {
  for (const dependency of defined.splice(0)) dependency.close();
});

function define(options: Partial<Omit<DependencyOptions, "metrics" | "logger">> = {}) {
  const { metrics, recorded } = recordingMetrics();
  const dependency = defineDependency({ name: "sdk", timeoutMs: 100, metrics, logger, ...options });
  defined.push(dependency);
  return { dependency, recorded };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("defineDependency", () => {
  it("when settings are invalid then it throws naming each of them", () => {
    expect(() =>
      define({ name: "Bad Name", timeoutMs: 0, breaker: { failureRateThreshold: 2 } }),
    ).toThrow(
      /^dependency Bad Name: name must match .*; timeoutMs must be .*; breaker\.failureRateThreshold must be in \(0, 1\], got 2$/,
    );
  });

  it("when the breaker's open time is not above the timeout then it is refused", () => {
    expect(() => define({ timeoutMs: 500, breaker: { openMs: 500 } })).toThrow(/breaker\.openMs/);
  });
});

describe("execute", () => {
  it("when an attempt function throws a plain error then it is a retryable fault, surfaced as DEPENDENCY_FAILED with its cause", async () => {
    const { dependency, recorded } = define({ retry: { attempts: 3, baseDelayMs: 1 } });
    const cause = new Error("socket hang up");
    const seen: AttemptInfo[] = [];
    const error = await rejection(
      dependency.execute(
        async (_signal, info) => {
          seen.push(info);
          throw cause;
        },
        { idempotent: true },
      ),
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("DEPENDENCY_FAILED");
    expect((error as AppError).message).toBe("sdk failed");
    expect((error as AppError).cause).toBe(cause);
    expect(seen.map((info) => info.attempt)).toEqual([1, 2, 3]);
    expect(seen[0]?.timeoutMs).toBe(100);
    expect(recorded.retries).toHaveLength(2);
  });

  it("when the answer is neither a fault nor retryable then the original error is rethrown once", async () => {
    const { dependency } = define({ retry: { attempts: 3, baseDelayMs: 1 } });
    const answer = new Error("not found");
    let calls = 0;
    const error = await rejection(
      dependency.execute(
        async () => {
          calls += 1;
          throw new UpstreamError("sdk answered not found", {
            fault: false,
            retryable: false,
            cause: answer,
          });
        },
        { idempotent: true },
      ),
    );
    expect(error).toBe(answer);
    expect(calls).toBe(1);
  });

  it("when the attempt ignores its signal then the timeout still ends the call (aggressive)", async () => {
    const { dependency } = define();
    const start = performance.now();
    const error = await rejection(
      dependency.execute(() => new Promise(() => {}), { idempotent: false }),
    );
    expect((error as AppError).code).toBe("DEADLINE_EXCEEDED");
    expect(Math.abs(performance.now() - start - 100)).toBeLessThan(50);
  });

  it("when the attempt honours its signal then the signal aborts at the timeout", async () => {
    const { dependency } = define();
    let aborted: number | undefined;
    const start = performance.now();
    await rejection(
      dependency.execute(
        (signal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener("abort", () => {
              aborted = performance.now() - start;
              reject(signal.reason);
            });
          }),
        { idempotent: false },
      ),
    );
    expect(aborted).toBeDefined();
    expect(Math.abs((aborted as number) - 100)).toBeLessThan(50);
  });

  it("when the caller's deadline is already spent then nothing is attempted", async () => {
    const { dependency, recorded } = define();
    let calls = 0;
    const error = await rejection(
      dependency.execute(
        async () => {
          calls += 1;
        },
        { idempotent: true, deadlineMs: 0 },
      ),
    );
    expect((error as AppError).code).toBe("DEADLINE_EXCEEDED");
    expect(calls).toBe(0);
    expect(recorded.observed.map((entry) => entry.outcome)).toEqual(["timeout"]);
  });

  it("when the caller's signal is already aborted then nothing is attempted", async () => {
    const { dependency } = define();
    let calls = 0;
    const error = await rejection(
      dependency.execute(
        async () => {
          calls += 1;
        },
        { idempotent: true, signal: AbortSignal.abort() },
      ),
    );
    expect((error as AppError).code).toBe("CANCELLED");
    await sleep(10);
    expect(calls).toBe(0);
  });

  it("when the caller cancels a call then the breaker does not count it", async () => {
    const { dependency } = define({ breaker: { minimumCalls: 1, failureRateThreshold: 0.1 } });
    const controller = new AbortController();
    const pending = rejection(
      dependency.execute((signal) => sleep(1_000, undefined, { signal }), {
        idempotent: true,
        signal: controller.signal,
      }),
    );
    controller.abort();
    expect(((await pending) as AppError).code).toBe("CANCELLED");
    expect(dependency.state()).toBe("closed");
  });

  it("when the dependency is closed then calls are refused", async () => {
    const { dependency } = define();
    dependency.close();
    const error = await rejection(dependency.execute(async () => 1, { idempotent: true }));
    expect((error as AppError).code).toBe("UNAVAILABLE");
    expect((error as AppError).message).toBe("sdk is closed");
  });

  it("when a call succeeds then its value and a success observation are returned", async () => {
    const { dependency, recorded } = define();
    expect(await dependency.execute(async () => 42, { idempotent: false })).toBe(42);
    expect(recorded.observed).toHaveLength(1);
    expect(recorded.observed[0]?.outcome).toBe("success");
    expect(recorded.observed[0]?.seconds).toBeGreaterThanOrEqual(0);
    expect(recorded.states).toEqual([{ dependency: "sdk", state: "closed" }]);
  });
});
