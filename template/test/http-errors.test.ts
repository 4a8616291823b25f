import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, errorCatalogue, errorCodes, isErrorCode } from "../src/platform/errors/index.ts";
import { startService, type TestService } from "./harness.ts";
import { accessLogOf, type ProblemBody, waitForLog } from "./http-support.ts";

let svc: TestService;

beforeAll(async () => {
  svc = await startService(
    { RATE_LIMIT_ENABLED: "false" },
    {
      extraRoutes: (router) => {
        router.get("/test/throw/:code", (req) => {
          const code = String(req.params.code);
          if (!isErrorCode(code)) throw new Error(`unknown code ${code}`);
          throw new AppError(code, "msg");
        });
        router.get("/test/rate-limited", () => {
          throw new AppError("RATE_LIMITED", "slow down", { retryAfterSeconds: 7 });
        });
        router.get("/test/bug", () => {
          throw new Error("secret internal detail");
        });
        router.get("/test/rejected", () => Promise.reject(new Error("secret rejected detail")));
        router.get("/test/after-headers", async (_req, res) => {
          res.status(200).setHeader("content-type", "application/json");
          res.write('{"partial":');
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error("failed mid-response");
        });
      },
    },
  );
});

afterAll(async () => {
  await svc?.stop();
});

describe("every catalogue code on HTTP", () => {
  it.each(errorCodes)(
    "when a route throws AppError(%s), then its status and a full problem",
    async (code) => {
      const spec = errorCatalogue[code];
      const path = `/test/throw/${code}?q=1`;
      const res = await fetch(`${svc.httpUrl}${path}`);
      expect(res.status).toBe(spec.status);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const requestId = res.headers.get("x-request-id");
      expect(requestId).toBeTruthy();
      const body = (await res.json()) as ProblemBody;
      expect(body).toEqual({
        type: `urn:lumi:error:${code}`,
        title: spec.title,
        status: spec.status,
        detail: "msg",
        code,
        request_id: requestId,
        instance: path,
      });
      const access = await accessLogOf(svc.logs, requestId);
      expect(access).toMatchObject({ status: spec.status, route: "/test/throw/:code" });
      expect(access.level).toBe(spec.status >= 500 ? "error" : "info");
      const failed = svc.logs.some((l) => l.msg === "request failed" && l.request_id === requestId);
      expect(failed).toBe(spec.status >= 500);
    },
  );

  it("when RATE_LIMITED carries retryAfterSeconds, then Retry-After says it", async () => {
    const res = await fetch(`${svc.httpUrl}/test/rate-limited`);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(((await res.json()) as ProblemBody).detail).toBe("slow down");
  });

  it("when UNAUTHENTICATED is thrown, then WWW-Authenticate carries the Bearer challenge", async () => {
    const res = await fetch(`${svc.httpUrl}/test/throw/UNAUTHENTICATED`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(`Bearer realm="api"`);
  });

  it("when a code other than RATE_LIMITED or UNAUTHENTICATED is thrown, then neither header", async () => {
    const res = await fetch(`${svc.httpUrl}/test/throw/NOT_FOUND`);
    expect(res.headers.get("retry-after")).toBeNull();
    expect(res.headers.get("www-authenticate")).toBeNull();
  });
});

describe("bugs in handlers", () => {
  it.each([
    ["/test/bug", "secret internal detail"],
    ["/test/rejected", "secret rejected detail"],
  ])(
    "when %s fails unexpectedly, then a generic 500 and the stack is only in the log",
    async (path, secret) => {
      const res = await fetch(`${svc.httpUrl}${path}`);
      expect(res.status).toBe(500);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const requestId = res.headers.get("x-request-id") ?? "";
      const text = await res.text();
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/stack|\.ts:\d+|at /i);
      expect(JSON.parse(text)).toMatchObject({
        code: "INTERNAL",
        status: 500,
        detail: errorCatalogue.INTERNAL.title,
        request_id: requestId,
      });

      const logged = await waitForLog(
        svc.logs,
        (l) => l.msg === "request failed" && l.request_id === requestId,
      );
      expect(logged.level).toBe("error");
      expect(logged.code).toBe("INTERNAL");
      const err = logged.err as { message?: string; stack?: string };
      expect(err.message).toBe(secret);
      expect(err.stack).toContain("http-errors.test.ts");

      const after = await fetch(`${svc.httpUrl}/v1/items`);
      expect(after.status).toBe(200);
    },
  );

  it("when a handler fails after sending headers, then the response is cut off, not completed", async () => {
    const res = await fetch(`${svc.httpUrl}/test/after-headers`);
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id");
    await expect(res.text()).rejects.toThrow();
    const logged = await waitForLog(
      svc.logs,
      (l) => l.msg === "request failed" && l.request_id === requestId,
    );
    expect((logged.err as { message?: string }).message).toBe("failed mid-response");
    expect((await fetch(`${svc.httpUrl}/v1/items`)).status).toBe(200);
  });

  it("when 20 failing requests run concurrently, then every one is a 500 and the service still serves", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${svc.httpUrl}${i % 2 === 0 ? "/test/bug" : "/test/rejected"}`).then(
          (r) => r.status,
        ),
      ),
    );
    expect(results).toEqual(Array(20).fill(500));
    expect((await fetch(`${svc.httpUrl}/v1/items`)).status).toBe(200);
  });
});
