import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { recordingMetrics } from "../../../test/fault-server.ts";
import { defineDependency } from "./dependency.ts";
import {
  dependencyEnvPrefix,
  describeDependencyKeys,
  loadDependencyConfig,
} from "./dependency-config.ts";
import { dependencyDefaults } from "./dependency-settings.ts";

describe("loadDependencyConfig", () => {
  it("when nothing is set then the service's defaults apply over the library's", () => {
    const { settings, issues } = loadDependencyConfig({}, "payments", {
      baseUrl: "http://payments:8080",
      timeoutMs: 500,
      retry: { attempts: 2 },
    });
    expect(issues).toEqual([]);
    expect(settings).toEqual({
      ...dependencyDefaults,
      baseUrl: "http://payments:8080",
      timeoutMs: 500,
      retry: { ...dependencyDefaults.retry, attempts: 2 },
    });
  });

  it("when every key is set then each overrides its setting", () => {
    const env = {
      DEP_PAYMENTS_BASE_URL: "https://payments.internal",
      DEP_PAYMENTS_CRITICAL: "true",
      DEP_PAYMENTS_TIMEOUT_MS: "750",
      DEP_PAYMENTS_DEADLINE_MS: "3000",
      DEP_PAYMENTS_RETRY_ATTEMPTS: "4",
      DEP_PAYMENTS_RETRY_BASE_DELAY_MS: "50",
      DEP_PAYMENTS_RETRY_MAX_DELAY_MS: "800",
      DEP_PAYMENTS_BREAKER_FAILURE_RATE: "0.25",
      DEP_PAYMENTS_BREAKER_MIN_CALLS: "10",
      DEP_PAYMENTS_BREAKER_WINDOW_MS: "20000",
      DEP_PAYMENTS_BREAKER_OPEN_MS: "15000",
      DEP_PAYMENTS_CONCURRENCY: "16",
      DEP_PAYMENTS_CONCURRENCY_QUEUE: "4",
    };
    const { settings, issues } = loadDependencyConfig(env, "payments");
    expect(issues).toEqual([]);
    expect(settings).toEqual({
      baseUrl: "https://payments.internal",
      critical: true,
      timeoutMs: 750,
      retry: { attempts: 4, baseDelayMs: 50, maxDelayMs: 800, deadlineMs: 3_000 },
      breaker: { failureRateThreshold: 0.25, minimumCalls: 10, windowMs: 20_000, openMs: 15_000 },
      concurrency: { limit: 16, queue: 4 },
    });
  });

  it("when the base URL has no default and is not set then it is required", () => {
    expect(loadDependencyConfig({}, "payments").issues).toEqual([
      { key: "DEP_PAYMENTS_BASE_URL", message: "is required" },
    ]);
  });

  it("when the dependency has no URL (null default) then none is required", () => {
    const { settings, issues } = loadDependencyConfig({}, "ledger", { baseUrl: null });
    expect(issues).toEqual([]);
    expect(settings.baseUrl).toBeUndefined();
  });

  it("when values are malformed then every bad key is reported at once", () => {
    const { issues } = loadDependencyConfig(
      {
        DEP_PAYMENTS_BASE_URL: "payments:8080",
        DEP_PAYMENTS_TIMEOUT_MS: "2s",
        DEP_PAYMENTS_CRITICAL: "maybe",
        DEP_PAYMENTS_BREAKER_FAILURE_RATE: "half",
      },
      "payments",
    );
    expect(issues.map((issue) => issue.key)).toEqual([
      "DEP_PAYMENTS_BASE_URL",
      "DEP_PAYMENTS_CRITICAL",
      "DEP_PAYMENTS_TIMEOUT_MS",
      "DEP_PAYMENTS_BREAKER_FAILURE_RATE",
    ]);
    expect(issues[2]?.message).toBe('must be a non-negative integer, got "2s"');
  });

  it("when the base URL carries credentials then it is refused without echoing it", () => {
    const { issues } = loadDependencyConfig(
      { DEP_PAYMENTS_BASE_URL: "https://user:secret@payments.internal" },
      "payments",
    );
    expect(issues).toEqual([
      {
        key: "DEP_PAYMENTS_BASE_URL",
        message: "must be an absolute http(s) URL without credentials",
      },
    ]);
  });

  it("when values parse but break a rule then the key is named with the rule", () => {
    const { issues } = loadDependencyConfig(
      {
        DEP_PAYMENTS_TIMEOUT_MS: "5000",
        DEP_PAYMENTS_BREAKER_OPEN_MS: "5000",
        DEP_PAYMENTS_BREAKER_FAILURE_RATE: "1.5",
        DEP_PAYMENTS_RETRY_ATTEMPTS: "0",
      },
      "payments",
      { baseUrl: "http://payments" },
    );
    expect(issues).toEqual([
      { key: "DEP_PAYMENTS_RETRY_ATTEMPTS", message: "must be an integer from 1 to 10, got 0" },
      { key: "DEP_PAYMENTS_BREAKER_FAILURE_RATE", message: "must be in (0, 1], got 1.5" },
      {
        key: "DEP_PAYMENTS_BREAKER_OPEN_MS",
        message: "must be an integer from 5001 to 2147483647, got 5000",
      },
    ]);
  });

  it("when a value is empty then it counts as unset", () => {
    const { settings, issues } = loadDependencyConfig(
      { DEP_PAYMENTS_TIMEOUT_MS: "", DEP_PAYMENTS_BASE_URL: "http://p" },
      "payments",
    );
    expect(issues).toEqual([]);
    expect(settings.timeoutMs).toBe(dependencyDefaults.timeoutMs);
  });

  it("when the name has a hyphen then the env names use an underscore", () => {
    expect(dependencyEnvPrefix("payments-api")).toBe("DEP_PAYMENTS_API_");
    const { settings } = loadDependencyConfig(
      { DEP_PAYMENTS_API_BASE_URL: "http://payments-api" },
      "payments-api",
    );
    expect(settings.baseUrl).toBe("http://payments-api");
  });

  it("when the settings are valid then they can be spread into defineDependency", () => {
    const { settings } = loadDependencyConfig({ DEP_PAYMENTS_BASE_URL: "http://p" }, "payments");
    const dependency = defineDependency({
      name: "payments",
      ...settings,
      metrics: recordingMetrics().metrics,
      logger: pino({ level: "silent" }),
    });
    expect(dependency.baseUrl).toBe("http://p");
    dependency.close();
  });
});

describe("describeDependencyKeys", () => {
  it("when asked then it lists every key with its doc line and effective default", () => {
    const keys = describeDependencyKeys("payments", { timeoutMs: 500 });
    expect(keys).toHaveLength(13);
    expect(keys.find((key) => key.key === "DEP_PAYMENTS_TIMEOUT_MS")?.default).toBe("500");
    expect(keys.find((key) => key.key === "DEP_PAYMENTS_CONCURRENCY")?.default).toBe("100");
    expect(keys.find((key) => key.key === "DEP_PAYMENTS_BASE_URL")?.default).toBe("");
    for (const key of keys) expect(key.desc).not.toBe("");
  });
});
