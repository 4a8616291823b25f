import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type TestService } from "./harness.ts";
import { accessLogOf, rawRequest, sendJson, uuidPattern } from "./http-support.ts";

let svc: TestService;

beforeAll(async () => {
  svc = await startService({ RATE_LIMIT_ENABLED: "false" });
});

afterAll(async () => {
  await svc?.stop();
});

const get = (path: string, requestId?: string) =>
  fetch(`${svc.httpUrl}${path}`, {
    headers: requestId === undefined ? {} : { "x-request-id": requestId },
  });

describe("a valid incoming X-Request-ID", () => {
  it.each(["client-req.42:a@b", "0f3c2a1e-93f1-4b3e-9d7e-1a2b3c4d5e6f", "x".repeat(128)])(
    "when it is %s, then it is echoed and logged",
    async (id) => {
      const res = await get("/v1/items", id);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toBe(id);
      const line = await accessLogOf(svc.logs, id);
      expect(line).toMatchObject({ method: "GET", route: "/v1/items", status: 200 });
    },
  );

  it("when the request fails, then the error body carries the same id", async () => {
    const id = "trace-failing-1";
    const res = await get("/v1/items/not-a-uuid", id);
    expect(res.status).toBe(400);
    expect(res.headers.get("x-request-id")).toBe(id);
    expect(await res.json()).toMatchObject({ request_id: id, code: "VALIDATION_FAILED" });
    expect((await accessLogOf(svc.logs, id)).status).toBe(400);
  });

  it("when an unknown route is hit, then the 404 body carries the id", async () => {
    const id = "trace-unknown-route";
    const res = await get("/nowhere", id);
    expect(await res.json()).toMatchObject({ request_id: id, code: "ROUTE_NOT_FOUND" });
  });

  it("when a body is malformed, then the 400 body carries the id", async () => {
    const res = await fetch(`${svc.httpUrl}/v1/items`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "trace-bad-json" },
      body: "{",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ request_id: "trace-bad-json" });
  });
});

describe("an unusable incoming X-Request-ID", () => {
  it.each([
    ["too long", "y".repeat(129)],
    ["with spaces", "has spaces in it"],
    ["with markup", "<script>alert(1)</script>"],
    ["with quotes and braces", '{"injected":true}'],
    ["with a semicolon", "abc;def"],
    ["empty", ""],
  ])("when it is %s, then a fresh UUID replaces it everywhere", async (_label, id) => {
    const res = await get("/v1/items/not-a-uuid", id);
    const echoed = res.headers.get("x-request-id") ?? "";
    expect(echoed).toMatch(uuidPattern);
    expect(((await res.json()) as { request_id: string }).request_id).toBe(echoed);
    await accessLogOf(svc.logs, echoed);
    if (id !== "") expect(JSON.stringify(svc.logs)).not.toContain(JSON.stringify(id).slice(1, -1));
  });

  it("when the header is sent twice, then neither value is trusted", async () => {
    const raw = await rawRequest(
      svc.ports.http,
      "GET /v1/items HTTP/1.1\r\nHost: x\r\nX-Request-ID: first-id\r\nX-Request-ID: second-id\r\nConnection: close\r\n\r\n",
    );
    expect(raw.status).toBe(200);
    expect(raw.headers["x-request-id"]).toMatch(uuidPattern);
  });
});

describe("no incoming X-Request-ID", () => {
  it("when absent, then each request gets its own generated UUID in the header, body and log", async () => {
    const first = await get("/v1/items");
    const second = await sendJson(`${svc.httpUrl}/v1/items`, "POST", { name: "" });
    const firstId = first.headers.get("x-request-id") ?? "";
    const secondId = second.headers.get("x-request-id") ?? "";
    expect(firstId).toMatch(uuidPattern);
    expect(secondId).toMatch(uuidPattern);
    expect(firstId).not.toBe(secondId);
    expect(((await second.json()) as { request_id: string }).request_id).toBe(secondId);
    expect((await accessLogOf(svc.logs, firstId)).status).toBe(200);
    expect((await accessLogOf(svc.logs, secondId)).status).toBe(400);
  });
});
