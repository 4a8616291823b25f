import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type TestService } from "./harness.ts";
import { accessLogOf } from "./http-support.ts";

const limits = { RATE_LIMIT_BURST: "3", RATE_LIMIT_PER_SECOND: "1" };

let direct: TestService;
let proxied: TestService;

beforeAll(async () => {
  [direct, proxied] = await Promise.all([
    startService(limits),
    startService({ ...limits, TRUSTED_PROXIES: "loopback" }),
  ]);
});

afterAll(async () => {
  await Promise.all([direct?.stop(), proxied?.stop()]);
});

interface Seen {
  status: number;
  clientIp: unknown;
}

/** Sends GET /v1/items once per X-Forwarded-For value, in order. */
async function sendAs(svc: TestService, forwardedFor: readonly string[]): Promise<Seen[]> {
  const seen: Seen[] = [];
  for (const value of forwardedFor) {
    const res = await fetch(`${svc.httpUrl}/v1/items`, {
      headers: { "x-forwarded-for": value },
    });
    await res.arrayBuffer();
    const line = await accessLogOf(svc.logs, res.headers.get("x-request-id"));
    seen.push({ status: res.status, clientIp: line.client_ip });
  }
  return seen;
}

describe("no trusted proxies (the default)", () => {
  it("when X-Forwarded-For is forged, then it is ignored for the log and the rate limit", async () => {
    const forged = ["203.0.113.9", "198.51.100.1", "198.51.100.2", "198.51.100.3", "10.0.0.1"];
    const seen = await sendAs(direct, forged);
    expect(seen.map((s) => s.clientIp)).toEqual(Array(forged.length).fill("127.0.0.1"));
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 429, 429]);
  });
});

describe("TRUSTED_PROXIES=loopback", () => {
  it("when a loopback proxy forwards for 203.0.113.9, then that is the client in the log", async () => {
    const [seen] = await sendAs(proxied, ["203.0.113.9"]);
    expect(seen).toEqual({ status: 200, clientIp: "203.0.113.9" });
  });

  it("when distinct forwarded clients call, then each has its own bucket", async () => {
    const seen = await sendAs(proxied, [
      "203.0.113.11",
      "203.0.113.11",
      "203.0.113.11",
      "203.0.113.11",
      "203.0.113.12",
    ]);
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 429, 200]);
    expect(seen.map((s) => s.clientIp)).toEqual([
      "203.0.113.11",
      "203.0.113.11",
      "203.0.113.11",
      "203.0.113.11",
      "203.0.113.12",
    ]);
  });

  it("when the chain has a forged leftmost hop, then the last untrusted hop is the client and forging gains nothing", async () => {
    const chain = [1, 2, 3, 4, 5].map((i) => `198.51.100.${i}, 203.0.113.20`);
    const seen = await sendAs(proxied, chain);
    expect(seen.map((s) => s.clientIp)).toEqual(Array(chain.length).fill("203.0.113.20"));
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 429, 429]);
  });

  it("when no X-Forwarded-For is sent, then the peer address is the client", async () => {
    const res = await fetch(`${proxied.httpUrl}/v1/items`);
    const line = await accessLogOf(proxied.logs, res.headers.get("x-request-id"));
    expect(line.client_ip).toBe("127.0.0.1");
  });

  it("when IPv6 clients share a /64, then they share one bucket", async () => {
    const seen = await sendAs(proxied, [
      "2001:db8:1:2::1",
      "2001:db8:1:2::2",
      "2001:db8:1:2:aaaa:bbbb:cccc:dddd",
      "2001:db8:1:2::3",
      "2001:db8:1:3::1",
    ]);
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 429, 200]);
  });
});
