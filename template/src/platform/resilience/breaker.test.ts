import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type FaultServer,
  type RecordedMetrics,
  recordingMetrics,
  startFaultServer,
} from "../../../test/fault-server.ts";
import { AppError } from "../errors/index.ts";
import { type Dependency, type DependencyOptions, defineDependency } from "./dependency.ts";
import { createHttpClient, type HttpClient } from "./http-client.ts";

const openMs = 200;
let server: FaultServer;
const defined: Dependency[] = [];

beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());
afterEach(async () => {
  for (const dependency of defined.splice(0)) dependency.close();
  await vi.waitFor(() => expect(server.active).toBe(0));
  await sleep(20);
});

/** Threshold 50 % over at least 4 completed calls, open for 200 ms, 100 ms attempts, no retries. */
function setup(options: Partial<Omit<DependencyOptions, "metrics" | "logger">> = {}): {
  dependency: Dependency;
  http: HttpClient;
  recorded: RecordedMetrics;
  logs: Record<string, unknown>[];
} {
  const { metrics, recorded } = recordingMetrics();
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const dependency = defineDependency({
    name: "upstream",
    baseUrl: server.url,
    timeoutMs: 100,
    breaker: { failureRateThreshold: 0.5, minimumCalls: 4, windowMs: 10_000, openMs },
    ...options,
    retry: { attempts: 1, baseDelayMs: 5, ...options.retry },
    metrics,
    logger,
  });
  defined.push(dependency);
  return { dependency, http: createHttpClient(dependency), recorded, logs };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** Opens the breaker with four failing calls. */
async function open(http: HttpClient, dependency: Dependency): Promise<void> {
  server.fallback({ status: 500 });
  for (let call = 0; call < 4; call++) await failure(http.get("/x"));
  expect(dependency.state()).toBe("open");
}

describe("the circuit breaker (criterion 7)", () => {
  it("when failures reach the threshold then it opens on exactly the crossing call", async () => {
    const { dependency, http } = setup();
    server.fallback({ status: 500 });
    for (let call = 1; call <= 3; call++) {
      expect((await failure(http.get("/x"))).code).toBe("DEPENDENCY_FAILED");
      expect(dependency.state(), `after call ${call}`).toBe("closed");
    }
    expect((await failure(http.get("/x"))).code).toBe("DEPENDENCY_FAILED");
    expect(dependency.state()).toBe("open");
    expect(server.requests).toHaveLength(4);
  });

  it("when successes are mixed in then it opens on the call whose failure brings the rate to 50 %", async () => {
    const { dependency, http } = setup();
    const outcomes = [200, 500, 200, 200, 500, 500];
    server.script(...outcomes.map((status) => ({ status })));
    for (const [index, status] of outcomes.entries()) {
      await http.get("/x").catch(() => undefined);
      const expected = index === outcomes.length - 1 ? "open" : "closed";
      expect(dependency.state(), `after call ${index + 1} (${status})`).toBe(expected);
    }
  });

  it("when it is open then 20 calls fail fast with UNAVAILABLE and 0 reach the dependency", async () => {
    const { dependency, http, recorded } = setup();
    await open(http, dependency);
    const before = server.requests.length;
    const start = performance.now();
    for (let call = 0; call < 20; call++) {
      const error = await failure(http.get("/x"));
      expect(error.code).toBe("UNAVAILABLE");
      expect(error.message).toBe("upstream circuit open");
      expect(error.retryAfterSeconds).toBe(1);
    }
    expect(performance.now() - start).toBeLessThan(50);
    expect(server.requests.length - before).toBe(0);
    expect(recorded.rejections.filter((entry) => entry.reason === "breaker_open")).toHaveLength(20);
    expect(recorded.observed.filter((entry) => entry.outcome === "short_circuited")).toHaveLength(
      20,
    );
  });

  it("when it turns half-open then exactly one of 20 concurrent callers reaches the dependency, and its success closes it", async () => {
    const { dependency, http } = setup();
    await open(http, dependency);
    await sleep(openMs + 30);
    expect(dependency.state()).toBe("half_open");
    server.fallback({ status: 200, delayMs: 30 });
    const before = server.requests.length;

    const results = await Promise.allSettled(Array.from({ length: 20 }, () => http.get("/x")));

    expect(server.requests.length - before).toBe(1);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected")
        expect((result.reason as AppError).code).toBe("UNAVAILABLE");
    }
    expect(dependency.state()).toBe("closed");
  });

  it("when the trial fails then it reopens, and a later trial can still close it", async () => {
    const { dependency, http } = setup();
    await open(http, dependency);
    await sleep(openMs + 30);
    const before = server.requests.length;
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => http.get("/x")));
    expect(server.requests.length - before).toBe(1);
    expect(results.filter((result) => result.status === "rejected")).toHaveLength(20);
    expect(dependency.state()).toBe("open");
    expect((await failure(http.get("/x"))).code).toBe("UNAVAILABLE");
    expect(server.requests.length - before).toBe(1);

    server.fallback({ status: 200 });
    await sleep(openMs + 30);
    expect((await http.get("/x")).status).toBe(200);
    expect(dependency.state()).toBe("closed");
  });

  it("when many calls fail at once at the threshold then it opens once and is not stuck open", async () => {
    const { dependency, http, recorded } = setup();
    server.fallback({ status: 500, delayMs: 30 });
    const errors = await Promise.all(Array.from({ length: 10 }, () => failure(http.get("/x"))));
    expect(errors.map((error) => error.code)).toEqual(Array(10).fill("DEPENDENCY_FAILED"));
    expect(dependency.state()).toBe("open");

    await sleep(openMs + 30);
    server.fallback({ status: 200 });
    expect((await http.get("/x")).status).toBe(200);
    expect(dependency.state()).toBe("closed");
    // The window starts afresh on closing: one failure is below the minimum of calls.
    server.fallback({ status: 500 });
    await failure(http.get("/x"));
    expect(dependency.state()).toBe("closed");
    expect(recorded.states.map((entry) => entry.state)).toEqual([
      "closed",
      "open",
      "half_open",
      "closed",
    ]);
  });

  it("when the dependency answers 4xx then the breaker does not count them as failures", async () => {
    const { dependency, http } = setup();
    server.fallback({ status: 404 });
    for (let call = 0; call < 10; call++) expect((await http.get("/x")).status).toBe(404);
    expect(dependency.state()).toBe("closed");
  });

  it("when the dependency times out then the timeouts count as failures", async () => {
    const { dependency, http } = setup();
    server.fallback({ hang: true });
    for (let call = 0; call < 4; call++) {
      expect((await failure(http.get("/x"))).code).toBe("DEADLINE_EXCEEDED");
    }
    expect(dependency.state()).toBe("open");
  });

  it("when a call still has retries when the breaker opens then it is not retried into it", async () => {
    const { dependency, http, recorded } = setup({ retry: { attempts: 3 } });
    server.fallback({ status: 503 });
    expect((await failure(http.get("/x"))).code).toBe("DEPENDENCY_FAILED");
    expect(server.requests).toHaveLength(3);
    // The fourth attempt crosses the threshold: its call ends with the real failure.
    const error = await failure(http.get("/x"));
    expect(error.code).toBe("DEPENDENCY_FAILED");
    expect(dependency.state()).toBe("open");
    expect(server.requests).toHaveLength(4);
    expect(recorded.retries).toHaveLength(2);
  });

  it("when it changes state then the change is logged and recorded", async () => {
    const { dependency, http, recorded, logs } = setup();
    await open(http, dependency);
    await sleep(openMs + 30);
    server.fallback({ status: 200 });
    await http.get("/x");
    const lines = logs.map(({ level, msg, calls, failures }) => ({ level, msg, calls, failures }));
    expect(lines).toEqual([
      { level: 40, msg: "dependency circuit opened", calls: 4, failures: 4 },
      { level: 30, msg: "dependency circuit half-open: one trial call" },
      { level: 30, msg: "dependency circuit closed" },
    ]);
    expect(recorded.states).toEqual([
      { dependency: "upstream", state: "closed" },
      { dependency: "upstream", state: "open" },
      { dependency: "upstream", state: "half_open" },
      { dependency: "upstream", state: "closed" },
    ]);
  });
});

describe("readiness", () => {
  it("when a critical dependency's breaker is open then its check fails, and passes again once half-open", async () => {
    const { dependency, http } = setup({ critical: true });
    expect(dependency.check?.()).toEqual({ ok: true });
    await open(http, dependency);
    expect(dependency.check?.()).toEqual({ ok: false, reason: "upstream circuit open" });
    await sleep(openMs + 30);
    // Half-open must be ready again, or no traffic would ever bring the trial call.
    expect(dependency.check?.()).toEqual({ ok: true });
  });

  it("when a dependency is not critical then it has no readiness check", () => {
    const { dependency } = setup();
    expect(dependency.critical).toBe(false);
    expect(dependency.check).toBeUndefined();
  });
});
