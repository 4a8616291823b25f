import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../src/platform/errors/index.ts";
import { createHttpClient } from "../src/platform/resilience/index.ts";
import { type FaultServer, startFaultServer } from "./fault-server.ts";
import { startService, type TestService } from "./harness.ts";

// An outbound dependency declared the way src/app/dependencies.ts declares
// one, built by the composition root: its policy comes from DEP_* variables,
// its metrics land in the service's /metrics, and a critical one takes part
// in readiness.

let upstream: FaultServer;
let svc: TestService;

beforeAll(async () => {
  upstream = await startFaultServer();
  svc = await startService(
    {
      DEP_PRICING_BASE_URL: upstream.url,
      DEP_PRICING_RETRY_ATTEMPTS: "1",
      DEP_PRICING_BREAKER_MIN_CALLS: "4",
      DEP_PRICING_BREAKER_OPEN_MS: "60000",
    },
    {},
    { pricing: { timeoutMs: 500, critical: true } },
  );
});

afterAll(async () => {
  await svc?.stop();
  await upstream?.close();
});

const scrape = async () => (await fetch(`${svc.opsUrl}/metrics`)).text();

describe("an outbound dependency of the service", () => {
  it("when it is declared then its DEP_* settings apply and the boot log lists them", () => {
    const pricing = svc.service.config.dependencies.pricing;
    expect(pricing?.baseUrl).toBe(upstream.url);
    expect(pricing?.retry.attempts).toBe(1);
    expect(svc.service.dependencies.get("pricing")?.name).toBe("pricing");
  });

  it("when calls succeed then lumi_outbound_request_duration_seconds counts them", async () => {
    const client = createHttpClient(svc.service.dependencies.get("pricing") as never);
    const res = await client.get("/price");
    expect(res.status).toBe(200);
    expect(await scrape()).toMatch(
      /lumi_outbound_request_duration_seconds_count\{dependency="pricing",outcome="success"\} 1/,
    );
  });

  it("when failures open the breaker then calls fail fast, it is counted, and readiness names the dependency", async () => {
    const client = createHttpClient(svc.service.dependencies.get("pricing") as never);
    upstream.fallback({ status: 503 });
    // 1 success so far; 3 failures make 3 of 4 calls failed, over the 50% rate: open.
    for (let i = 0; i < 3; i++) await client.get("/price").catch(() => undefined);
    expect(upstream.requests.length).toBe(4);
    for (let i = 0; i < 2; i++) {
      const error = await client.get("/price").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("UNAVAILABLE");
    }
    expect(upstream.requests.length).toBe(4);
    const text = await scrape();
    expect(text).toMatch(/lumi_outbound_breaker_state\{dependency="pricing"\} 2/);
    expect(text).toMatch(
      /lumi_outbound_rejections_total\{dependency="pricing",reason="breaker_open"\} 2/,
    );
    const ready = await fetch(`${svc.opsUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.pricing).toMatch(
      /^failing/,
    );
  });
});
