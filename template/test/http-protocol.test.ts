import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type TestService } from "./harness.ts";
import { accessLogOf, problem, rawRequest, uuidPattern } from "./http-support.ts";

let svc: TestService;
let limited: TestService;

beforeAll(async () => {
  [svc, limited] = await Promise.all([
    startService({ HTTP_BODY_LIMIT_BYTES: "1024", RATE_LIMIT_ENABLED: "false" }),
    startService({ RATE_LIMIT_BURST: "3", RATE_LIMIT_PER_SECOND: "1" }),
  ]);
});

afterAll(async () => {
  await Promise.all([svc?.stop(), limited?.stop()]);
});

/** A JSON item body of exactly `bytes` bytes. */
function bodyOfSize(bytes: number): string {
  const empty = JSON.stringify({ name: "sized", description: "" });
  return JSON.stringify({ name: "sized", description: "d".repeat(bytes - empty.length) });
}

/** Sends a chunked POST without Content-Length, in pieces. */
function postChunked(port: number, pieces: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { port, host: "127.0.0.1", method: "POST", path: "/v1/items" },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.setHeader("content-type", "application/json");
    req.on("error", reject);
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

describe("routing", () => {
  it("when a path matches no route, then 404 ROUTE_NOT_FOUND and the route label is unmatched", async () => {
    const res = await fetch(`${svc.httpUrl}/no/such/path-4f1d?x=1`);
    const body = await problem(res, 404, "ROUTE_NOT_FOUND");
    expect(body.detail).toContain("/no/such/path-4f1d");
    const line = await accessLogOf(svc.logs, body.request_id);
    expect(line).toMatchObject({ route: "unmatched", status: 404, method: "GET" });
    expect(JSON.stringify(svc.logs.filter((l) => l.msg === "request"))).not.toContain("path-4f1d");
  });

  it.each([
    ["PUT", "/v1/items", ["GET", "HEAD", "POST"]],
    ["DELETE", "/v1/items", ["GET", "HEAD", "POST"]],
    ["POST", "/v1/items/6f1c0e52-6d7e-4c57-9d1e-2f1f6a0c8b11", ["DELETE", "GET", "HEAD", "PATCH"]],
  ])("when %s %s, then 405 METHOD_NOT_ALLOWED with Allow", async (method, path, allow) => {
    const res = await fetch(`${svc.httpUrl}${path}`, { method });
    await problem(res, 405, "METHOD_NOT_ALLOWED");
    const header = res.headers.get("allow") ?? "";
    expect(header.split(", ").sort()).toEqual(allow);
  });

  it("when OPTIONS is sent to a known path, then 204 with Allow", async () => {
    const res = await fetch(`${svc.httpUrl}/v1/items`, { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect((res.headers.get("allow") ?? "").split(", ").sort()).toEqual(["GET", "HEAD", "POST"]);
  });

  it("when a path parameter has a malformed percent escape, then 400, not 500", async () => {
    const raw = await rawRequest(
      svc.ports.http,
      "GET /v1/items/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    expect(raw.status).toBe(400);
    expect(raw.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(raw.body)).toMatchObject({ code: "MALFORMED_REQUEST", status: 400 });
  });
});

describe("request bodies", () => {
  it("when a JSON body is exactly the limit, then it is accepted", async () => {
    const body = bodyOfSize(1024);
    expect(Buffer.byteLength(body)).toBe(1024);
    const res = await fetch(`${svc.httpUrl}/v1/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(201);
  });

  it("when a JSON body is one byte over the limit, then 413 PAYLOAD_TOO_LARGE and Connection: close", async () => {
    const res = await fetch(`${svc.httpUrl}/v1/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: bodyOfSize(1025),
    });
    const body = await problem(res, 413, "PAYLOAD_TOO_LARGE");
    expect(res.headers.get("connection")).toBe("close");
    expect(body.detail).toBe("the request body is larger than the limit");
  });

  it("when a chunked body without Content-Length grows over the limit, then 413", async () => {
    const pieces = Array.from({ length: 8 }, (_, i) => (i === 0 ? '{"name":"' : "n".repeat(200)));
    const res = await postChunked(svc.ports.http, pieces);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("when a POST body is text/plain, then 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const res = await fetch(`${svc.httpUrl}/v1/items`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: '{"name":"x"}',
    });
    await problem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("when a JSON body has an unsupported charset, then 415", async () => {
    const res = await fetch(`${svc.httpUrl}/v1/items`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=klingon" },
      body: '{"name":"x"}',
    });
    await problem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it.each([
    ['{"name":', "truncated"],
    ["{'name': 'x'}", "single quotes"],
    ["null", "a bare null"],
  ])(
    "when the JSON body is %s (%s), then 400 MALFORMED_REQUEST without parser details",
    async (text) => {
      const res = await fetch(`${svc.httpUrl}/v1/items`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: text,
      });
      const body = await problem(res, 400, "MALFORMED_REQUEST");
      expect(body.detail).toBe("the request body is not valid JSON");
    },
  );
});

describe("header limits", () => {
  it("when the header block is over 16 KiB, then 431 HEADERS_TOO_LARGE as problem JSON", async () => {
    const raw = await rawRequest(
      svc.ports.http,
      `GET /v1/items HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(17 * 1024)}\r\n\r\n`,
    );
    expect(raw.status).toBe(431);
    expect(raw.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(raw.headers["x-request-id"]).toMatch(uuidPattern);
    expect(JSON.parse(raw.body)).toMatchObject({
      code: "HEADERS_TOO_LARGE",
      status: 431,
      request_id: raw.headers["x-request-id"],
    });
    expect((await fetch(`${svc.httpUrl}/v1/items`)).status).toBe(200);
  });

  it("when the header block is just under 16 KiB, then the request is served", async () => {
    const res = await fetch(`${svc.httpUrl}/v1/items`, {
      headers: { "x-big": "a".repeat(15 * 1024) },
    });
    expect(res.status).toBe(200);
  });
});

describe("rate limiting (burst 3, 1 per second)", () => {
  it("when the bucket is empty, then 429 RATE_LIMITED with Retry-After and RateLimit headers, and it refills", async () => {
    const seen: { status: number; rateLimit: string | null }[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${limited.httpUrl}/v1/items`);
      expect(res.headers.get("ratelimit-policy")).toBe('"default";q=3;w=3');
      seen.push({ status: res.status, rateLimit: res.headers.get("ratelimit") });
    }
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200]);
    expect(seen.map((s) => s.rateLimit?.match(/r=(\d+)/)?.[1])).toEqual(["2", "1", "0"]);

    const denied = await fetch(`${limited.httpUrl}/v1/items`);
    const body = await problem(denied, 429, "RATE_LIMITED");
    expect(body.detail).toBe("rate limit exceeded; retry later");
    expect(denied.headers.get("retry-after")).toBe("1");
    expect(denied.headers.get("ratelimit")).toMatch(/^"default";r=0;t=\d+$/);
    expect(denied.headers.get("ratelimit-policy")).toBe('"default";q=3;w=3');

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await fetch(`${limited.httpUrl}/v1/items`)).status).toBe(200);
  });

  it("when a client is limited, then requests to unknown paths count against it too", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${limited.httpUrl}/nowhere`)).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(statuses.indexOf(429))).toEqual(
      Array(5 - statuses.indexOf(429)).fill(429),
    );
  });
});
