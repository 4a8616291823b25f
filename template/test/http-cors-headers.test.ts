import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type TestService } from "./harness.ts";
import { rawRequest, sendJson } from "./http-support.ts";

const appOrigin = "https://app.example.com";

let plain: TestService;
let cors: TestService;

beforeAll(async () => {
  [plain, cors] = await Promise.all([
    startService(
      { RATE_LIMIT_BURST: "40", RATE_LIMIT_PER_SECOND: "1" },
      {
        extraRoutes: (router) => {
          router.get("/test/bug", () => {
            throw new Error("boom");
          });
        },
      },
    ),
    startService({ HTTP_CORS_ORIGINS: appOrigin, RATE_LIMIT_ENABLED: "false" }),
  ]);
});

afterAll(async () => {
  await Promise.all([plain?.stop(), cors?.stop()]);
});

/** Names of the Access-Control-* headers of a response. */
const corsHeaders = (res: Response) =>
  [...res.headers.keys()].filter((name) => name.startsWith("access-control-"));

const preflight = (svc: TestService, origin: string, path = "/v1/items") =>
  fetch(`${svc.httpUrl}${path}`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "PATCH",
      "access-control-request-headers": "content-type, if-match",
    },
  });

describe("CORS off (the default)", () => {
  it("when a request carries an Origin, then no Access-Control-* header is sent", async () => {
    const res = await fetch(`${plain.httpUrl}/v1/items`, { headers: { origin: appOrigin } });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual([]);
  });

  it("when a preflight is sent, then it is not approved", async () => {
    const res = await preflight(plain, appOrigin);
    expect(corsHeaders(res)).toEqual([]);
  });
});

describe("HTTP_CORS_ORIGINS=https://app.example.com", () => {
  it("when the allowed origin calls, then ACAO echoes it with Vary: Origin and exposed headers", async () => {
    const res = await fetch(`${cors.httpUrl}/v1/items`, { headers: { origin: appOrigin } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(appOrigin);
    expect(res.headers.get("vary")).toMatch(/\bOrigin\b/);
    expect(res.headers.get("access-control-expose-headers")).toContain("X-Request-ID");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("when the allowed origin gets an error, then the problem is readable cross-origin", async () => {
    const res = await fetch(`${cors.httpUrl}/nowhere`, { headers: { origin: appOrigin } });
    expect(res.status).toBe(404);
    expect(res.headers.get("access-control-allow-origin")).toBe(appOrigin);
  });

  it("when the allowed origin sends a preflight, then 204 with the allowed methods and headers", async () => {
    const res = await preflight(cors, appOrigin);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(res.headers.get("access-control-allow-origin")).toBe(appOrigin);
    const methods = (res.headers.get("access-control-allow-methods") ?? "").split(/,\s*/);
    expect(methods).toEqual(expect.arrayContaining(["GET", "POST", "PATCH", "DELETE"]));
    const headers = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    expect(headers).toContain("content-type");
    expect(headers).toContain("if-match");
    expect(res.headers.get("access-control-max-age")).toBe("600");
  });

  it.each([
    "https://evil.example.com",
    "https://app.example.com.evil.example",
    "http://app.example.com",
    "null",
  ])("when the origin %s calls, then no Access-Control-* header is sent", async (origin) => {
    const simple = await fetch(`${cors.httpUrl}/v1/items`, { headers: { origin } });
    expect(simple.status).toBe(200);
    expect(corsHeaders(simple)).toEqual([]);
    expect(corsHeaders(await preflight(cors, origin))).toEqual([]);
  });
});

describe("security headers", () => {
  const expected = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
  };

  const expectSecure = (headers: Headers) => {
    for (const [name, value] of Object.entries(expected)) expect(headers.get(name)).toBe(value);
    expect(headers.get("x-powered-by")).toBeNull();
  };

  it("when responses of every kind are sent, then each carries the security headers and no X-Powered-By", async () => {
    const created = await sendJson(`${plain.httpUrl}/v1/items`, "POST", { name: "secure" });
    expect(created.status).toBe(201);
    const location = created.headers.get("location") ?? "";
    const responses = [
      created,
      await fetch(`${plain.httpUrl}${location}`),
      await fetch(`${plain.httpUrl}${location}`, { headers: { "if-none-match": '"1"' } }),
      await fetch(`${plain.httpUrl}/v1/items`),
      await fetch(`${plain.httpUrl}/nowhere`),
      await fetch(`${plain.httpUrl}/v1/items`, { method: "PUT" }),
      await fetch(`${plain.httpUrl}/v1/items`, { method: "OPTIONS" }),
      await sendJson(`${plain.httpUrl}/v1/items`, "POST", { name: "" }),
      await fetch(`${plain.httpUrl}/test/bug`),
      await fetch(`${plain.httpUrl}${location}`, { method: "DELETE" }),
      await preflight(cors, appOrigin),
    ];
    expect(responses.map((r) => r.status)).toEqual([
      201, 200, 304, 200, 404, 405, 204, 400, 500, 204, 204,
    ]);
    for (const res of responses) expectSecure(res.headers);
  });

  it("when the rate limit answers 429, then it carries the security headers too", async () => {
    let res = await fetch(`${plain.httpUrl}/v1/items`);
    for (let i = 0; i < 60 && res.status !== 429; i++)
      res = await fetch(`${plain.httpUrl}/v1/items`);
    expect(res.status).toBe(429);
    expectSecure(res.headers);
  });

  it("when Node refuses a request before any handler (431), then the security headers are there", async () => {
    const raw = await rawRequest(
      plain.ports.http,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(17_000)}\r\n\r\n`,
    );
    expect(raw.status).toBe(431);
    for (const [name, value] of Object.entries(expected)) expect(raw.headers[name]).toBe(value);
  });
});
