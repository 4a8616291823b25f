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

const logger = pino({ level: "silent" });
let server: FaultServer;
const defined: Dependency[] = [];

beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());
afterEach(async () => {
  for (const dependency of defined.splice(0)) dependency.close();
  // Lets every request of the test reach the server before the next test scripts it.
  await vi.waitFor(() => expect(server.active).toBe(0));
  await sleep(20);
});

/** A client of the fault server: 200 ms attempts, no retries, a breaker that stays out of the way. */
function setup(options: Partial<Omit<DependencyOptions, "metrics" | "logger">> = {}): {
  http: HttpClient;
  recorded: RecordedMetrics;
} {
  const { metrics, recorded } = recordingMetrics();
  const dependency = defineDependency({
    name: "upstream",
    baseUrl: server.url,
    timeoutMs: 200,
    breaker: { minimumCalls: 1_000, openMs: 5_000 },
    ...options,
    retry: { attempts: 1, ...options.retry },
    metrics,
    logger,
  });
  defined.push(dependency);
  return { http: createHttpClient(dependency), recorded };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const tcpSockets = () =>
  process.getActiveResourcesInfo().filter((name) => name === "TCPSocketWrap").length;

describe("a hanging dependency (criterion 9)", () => {
  it("when it never answers then the call fails at the timeout ± 50 ms, the upstream sees the socket closed and handles return to baseline", async () => {
    const { http, recorded } = setup();
    await http.get("/warm-up");
    await sleep(50);
    const baseline = tcpSockets();
    server.fallback({ hang: true });

    const start = performance.now();
    const pending = failure(http.get("/hang"));
    await vi.waitFor(() => expect(server.active).toBe(1));
    expect(tcpSockets()).toBeGreaterThan(baseline);
    const error = await pending;
    const elapsed = performance.now() - start;

    expect(error.code).toBe("DEADLINE_EXCEEDED");
    expect(error.message).toBe("upstream did not answer within 200 ms");
    expect(Math.abs(elapsed - 200)).toBeLessThan(50);
    await vi.waitFor(() => expect(server.clientClosedAt).toHaveLength(1), { timeout: 500 });
    expect((server.clientClosedAt[0] as number) - start).toBeLessThan(250);
    await vi.waitFor(() => expect(tcpSockets()).toBeLessThanOrEqual(baseline), { timeout: 1_000 });
    expect(recorded.observed.map((entry) => entry.outcome)).toEqual(["success", "timeout"]);
  });

  it("when the caller's deadline is shorter than the timeout then the deadline wins", async () => {
    const { http } = setup();
    server.fallback({ hang: true });
    const start = performance.now();
    const error = await failure(http.get("/hang", { deadlineMs: 100 }));
    expect(error.code).toBe("DEADLINE_EXCEEDED");
    expect(error.message).toBe("upstream call exceeded its 100 ms deadline");
    expect(Math.abs(performance.now() - start - 100)).toBeLessThan(50);
    await vi.waitFor(() => expect(server.clientClosedAt).toHaveLength(1), { timeout: 500 });
  });

  it("when the caller aborts then the call fails at once with CANCELLED and the socket is closed", async () => {
    const { http, recorded } = setup();
    server.fallback({ hang: true });
    const controller = new AbortController();
    const pending = failure(http.get("/hang", { signal: controller.signal }));
    await vi.waitFor(() => expect(server.active).toBe(1));
    const start = performance.now();
    controller.abort();
    const error = await pending;
    expect(error.code).toBe("CANCELLED");
    expect(performance.now() - start).toBeLessThan(20);
    await vi.waitFor(() => expect(server.clientClosedAt).toHaveLength(1), { timeout: 500 });
    expect(recorded.observed.map((entry) => entry.outcome)).toEqual(["error"]);
  });
});

describe("retries (criterion 8)", () => {
  it("when every attempt fails then it stops at the attempt limit with DEPENDENCY_FAILED", async () => {
    const { http, recorded } = setup({ retry: { attempts: 3, baseDelayMs: 10 } });
    server.fallback({ status: 503 });
    const error = await failure(http.get("/items"));
    expect(error.code).toBe("DEPENDENCY_FAILED");
    expect(error.message).toBe("upstream failed (503)");
    expect(server.requests).toHaveLength(3);
    expect(recorded.retries).toEqual(["upstream", "upstream"]);
    expect(recorded.observed.map((entry) => entry.outcome)).toEqual(["error"]);
  });

  it("when a retry succeeds then the caller gets its answer, body readable", async () => {
    const { http } = setup({ retry: { attempts: 3, baseDelayMs: 10 } });
    server.script({ status: 502 }, { reset: true }, { status: 200, body: "third time" });
    const response = await http.get("/items");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("third time");
    expect(server.requests).toHaveLength(3);
  });

  it("when retrying then delays grow exponentially with full jitter", async () => {
    const { http } = setup({
      retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 },
      random: () => 0.5,
    });
    server.fallback({ status: 500 });
    await failure(http.get("/items"));
    const at = server.requests.map((request) => request.at);
    const gaps = at.slice(1).map((time, index) => time - (at[index] as number));
    // random 0.5 of the ceilings 100, 200, 400 ms.
    for (const [index, expected] of [50, 100, 200].entries()) {
      expect(gaps[index]).toBeGreaterThanOrEqual(expected - 2);
      expect(gaps[index]).toBeLessThan(expected + 40);
    }
  });

  it("when the next delay would pass the overall deadline then the call gives up before it", async () => {
    const { http } = setup({
      retry: { attempts: 10, baseDelayMs: 100, maxDelayMs: 1_000, deadlineMs: 250 },
      random: () => 0.5,
    });
    // Attempt 1 at 0–80 ms, delay 50 ms, attempt 2 at 130–210 ms; a 100 ms delay would end past 250 ms.
    server.fallback({ status: 503, delayMs: 80 });
    const start = performance.now();
    const error = await failure(http.get("/items"));
    expect(error.code).toBe("DEPENDENCY_FAILED");
    expect(server.requests).toHaveLength(2);
    expect(performance.now() - start).toBeLessThan(250);
  });

  it("when the overall deadline falls during an attempt then that attempt is cut at the deadline", async () => {
    const { http } = setup({
      timeoutMs: 1_000,
      retry: { attempts: 10, baseDelayMs: 50, deadlineMs: 250 },
      random: () => 0.5,
    });
    // Attempt 1 at 0–150 ms, delay 25 ms, attempt 2 from 175 ms cut at 250 ms.
    server.fallback({ status: 503, delayMs: 150 });
    const start = performance.now();
    const error = await failure(http.get("/items"));
    expect(error.code).toBe("DEADLINE_EXCEEDED");
    expect(error.message).toBe("upstream call exceeded its 250 ms deadline");
    expect(Math.abs(performance.now() - start - 250)).toBeLessThan(50);
    expect(server.requests).toHaveLength(2);
    await vi.waitFor(() => expect(server.clientClosedAt).toHaveLength(1), { timeout: 500 });
  });

  it("when the answer has Retry-After: 1 then the next attempt waits at least 1 s", async () => {
    const { http } = setup({ retry: { attempts: 2, baseDelayMs: 10, deadlineMs: 3_000 } });
    server.script({ status: 503, retryAfter: "1" }, { status: 200 });
    const response = await http.get("/items");
    expect(response.status).toBe(200);
    const [first, second] = server.requests.map((request) => request.at) as [number, number];
    expect(second - first).toBeGreaterThanOrEqual(1_000 - 2);
    expect(second - first).toBeLessThan(1_100);
  });

  it("when Retry-After would pass the deadline then no retry is scheduled and the hint is kept", async () => {
    const { http } = setup({ retry: { attempts: 3, baseDelayMs: 10, deadlineMs: 500 } });
    server.fallback({ status: 429, retryAfter: "1" });
    const start = performance.now();
    const error = await failure(http.get("/items"));
    expect(performance.now() - start).toBeLessThan(100);
    expect(server.requests).toHaveLength(1);
    expect(error.code).toBe("DEPENDENCY_FAILED");
    expect(error.retryAfterSeconds).toBe(1);
  });

  it("when a POST has no Idempotency-Key then it is never retried", async () => {
    const { http, recorded } = setup({ retry: { attempts: 3, baseDelayMs: 10 } });
    server.fallback({ status: 503 });
    const error = await failure(http.post("/items", { json: { name: "a" } }));
    expect(error.code).toBe("DEPENDENCY_FAILED");
    expect(server.requests).toHaveLength(1);
    expect(recorded.retries).toEqual([]);
  });

  it("when a POST carries an Idempotency-Key then it is retried", async () => {
    const { http } = setup({ retry: { attempts: 3, baseDelayMs: 10 } });
    server.script({ status: 503 }, { status: 201 });
    const response = await http.post("/items", {
      json: { name: "a" },
      headers: { "Idempotency-Key": "k-1" },
    });
    expect(response.status).toBe(201);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.headers["idempotency-key"]).toBe("k-1");
    expect(server.requests[1]?.headers["content-type"]).toBe("application/json");
  });

  it("when the answer is a 4xx other than 408, 425 or 429 then it resolves without a retry", async () => {
    const { http, recorded } = setup({ retry: { attempts: 3, baseDelayMs: 10 } });
    server.fallback({ status: 404, body: "no such item" });
    const response = await http.get("/items/7");
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("no such item");
    expect(server.requests).toHaveLength(1);
    expect(recorded.observed.map((entry) => entry.outcome)).toEqual(["success"]);
  });
});

describe("the concurrency limit", () => {
  it("when the limit is full and there is no queue then the next call is refused at once", async () => {
    const { http, recorded } = setup({ concurrency: { limit: 2, queue: 0 } });
    server.fallback({ status: 200, delayMs: 150 });
    const running = [http.get("/a"), http.get("/b")];
    await vi.waitFor(() => expect(server.active).toBe(2));

    const start = performance.now();
    const error = await failure(http.get("/c"));
    expect(performance.now() - start).toBeLessThan(20);
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toBe("upstream is at its concurrency limit");
    expect(server.requests).toHaveLength(2);
    expect((await Promise.all(running)).map((response) => response.status)).toEqual([200, 200]);
    expect(recorded.rejections).toEqual([{ dependency: "upstream", reason: "bulkhead_full" }]);
    expect(recorded.observed.map((entry) => entry.outcome).sort()).toEqual([
      "rejected",
      "success",
      "success",
    ]);
  });

  it("when a queue is allowed then a waiting call runs once a slot frees", async () => {
    const { http } = setup({ concurrency: { limit: 1, queue: 1 } });
    server.fallback({ status: 200, delayMs: 50 });
    const responses = await Promise.allSettled([http.get("/a"), http.get("/b"), http.get("/c")]);
    expect(responses.map((result) => result.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
    ]);
    expect(server.maxActive).toBe(1);
    expect(server.requests).toHaveLength(2);
  });
});

describe("requests", () => {
  it("when the path is not relative to the base URL then it is refused", async () => {
    const { http } = setup();
    await expect(http.get("//elsewhere.example/x")).rejects.toThrow(TypeError);
    await expect(http.get("http://elsewhere.example/x")).rejects.toThrow(TypeError);
    expect(server.requests).toHaveLength(0);
  });

  it("when the base URL has a path then requests are sent below it", async () => {
    const { metrics } = recordingMetrics();
    const dependency = defineDependency({
      name: "prefixed",
      baseUrl: `${server.url}/api/`,
      metrics,
      logger,
    });
    defined.push(dependency);
    await createHttpClient(dependency).get("/items?page=2");
    expect(server.requests[0]?.url).toBe("/api/items?page=2");
  });
});
