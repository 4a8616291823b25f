import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type ErrorRequestHandler } from "express";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestIssuer, type TestIssuer } from "../../../test/test-issuer.ts";
import { errorMiddleware } from "../http/error-middleware.ts";
import { bearerChallenge, claimsOf, createHttpGuard, httpAuth } from "./http-auth.ts";
import { authenticated, publicAccess, requireRoles, requireScopes } from "./policy.ts";
import {
  createDevelopmentVerifier,
  createTokenVerifier,
  createUnconfiguredVerifier,
  type TokenVerifier,
} from "./verifier.ts";

/** An app with the routes under test, protected by `verifier`. */
function appWith(verifier: TokenVerifier) {
  const app = express();
  app.use((_req, res, next) => {
    res.locals.requestId = "req-test";
    res.locals.log = pino({ level: "silent" });
    next();
  });
  const router = express.Router();
  router.get("/public", httpAuth(verifier, publicAccess()), (_req, res) => {
    res.json({ ok: true });
  });
  router.get("/me", httpAuth(verifier, authenticated()), (_req, res) => {
    res.json({ sub: claimsOf(res).sub });
  });
  router.post("/items", httpAuth(verifier, requireScopes("items:write")), (_req, res) => {
    res.status(201).json({ sub: claimsOf(res).sub });
  });
  const guard = createHttpGuard(verifier);
  router.delete("/admin", guard(requireRoles("admin", "owner")), (_req, res) => {
    res.status(204).end();
  });
  router.get("/forgot-auth", (_req, res) => {
    res.json({ sub: claimsOf(res).sub });
  });
  app.use(router);
  // Records the challenge the auth middleware set, before the error middleware answers.
  const recordChallenge: ErrorRequestHandler = (error, _req, res, next) => {
    const challenge = res.getHeader("WWW-Authenticate");
    if (typeof challenge === "string") res.setHeader("X-Test-Challenge", challenge);
    next(error);
  };
  app.use(recordChallenge);
  app.use(errorMiddleware());
  return app;
}

async function listen(app: express.Express): Promise<{ url: string; server: Server }> {
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let issuer: TestIssuer;
let verifier: TokenVerifier;
let base: string;
let server: Server;

beforeAll(async () => {
  issuer = await createTestIssuer();
  verifier = createTokenVerifier({
    jwksUrl: issuer.jwksUrl,
    issuer: issuer.issuer,
    audience: issuer.audience,
  });
  ({ url: base, server } = await listen(appWith(verifier)));
});

afterAll(async () => {
  server.close();
  await verifier.close();
  await issuer.close();
});

async function call(path: string, authorization?: string, method = "GET") {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: authorization === undefined ? {} : { authorization },
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === "" ? undefined : JSON.parse(text),
    text,
    challenge: res.headers.get("x-test-challenge"),
    wwwAuthenticate: res.headers.get("www-authenticate"),
  };
}

describe("httpAuth", () => {
  it("when the header is missing then 401 with a plain Bearer challenge", async () => {
    const res = await call("/me");
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: "UNAUTHENTICATED", request_id: "req-test" });
    expect(res.challenge).toBe('Bearer realm="api"');
    expect(res.wwwAuthenticate).toMatch(/^Bearer\b/);
  });

  it("when the scheme is not Bearer then 401 with a plain Bearer challenge", async () => {
    for (const header of ["Basic dXNlcjpwYXNz", "Token abc", "Bearerabc"]) {
      const res = await call("/me", header);
      expect(res.status, header).toBe(401);
      expect(res.challenge, header).toBe('Bearer realm="api"');
    }
  });

  it("when the Bearer credentials are malformed then 401 invalid_token", async () => {
    const token = await issuer.sign();
    for (const header of ["Bearer", "Bearer a b", `Bearer ${token} ${token}`, "Bearer {x}"]) {
      const res = await call("/me", header);
      expect(res.status, header).toBe(401);
      expect(res.challenge, header).toBe(
        'Bearer realm="api", error="invalid_token", error_description="malformed authorization header"',
      );
    }
  });

  it("when the token is valid then the claims reach the handler, whatever the scheme's case", async () => {
    const token = await issuer.sign({ sub: "ada" });
    for (const scheme of ["Bearer", "bearer", "BEARER"]) {
      const res = await call("/me", `${scheme} ${token}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ sub: "ada" });
    }
  });

  it("when the token is invalid then 401 invalid_token with the reason, the token never echoed", async () => {
    const expired = await issuer.sign({}, { nowSec: Math.floor(Date.now() / 1000) - 3600 });
    const res = await call("/me", `Bearer ${expired}`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: "UNAUTHENTICATED", detail: "token expired" });
    expect(res.challenge).toBe(
      'Bearer realm="api", error="invalid_token", error_description="token expired"',
    );
    expect(res.text).not.toContain(expired);
    expect(res.text).not.toContain(expired.split(".")[1]);
  });

  it("when a scope is missing then 403 PERMISSION_DENIED naming it", async () => {
    const token = await issuer.sign({ scope: "items:read" });
    const res = await call("/items", `Bearer ${token}`, "POST");
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      code: "PERMISSION_DENIED",
      detail: "missing scope items:write",
    });
    expect(res.challenge).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="missing scope items:write", scope="items:write"',
    );
  });

  it("when the scope is granted then the route runs", async () => {
    const token = await issuer.sign({ scope: "items:read items:write" });
    expect((await call("/items", `Bearer ${token}`, "POST")).status).toBe(201);
    const viaScp = await issuer.sign({ scp: ["items:write"] });
    expect((await call("/items", `Bearer ${viaScp}`, "POST")).status).toBe(201);
  });

  it("when one of the roles is granted then the route runs; none of them, 403", async () => {
    const owner = await issuer.sign({ roles: ["owner"] });
    expect((await call("/admin", `Bearer ${owner}`, "DELETE")).status).toBe(204);
    const viewer = await issuer.sign({ roles: ["viewer"] });
    const res = await call("/admin", `Bearer ${viewer}`, "DELETE");
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      code: "PERMISSION_DENIED",
      detail: "requires one of roles admin owner",
    });
  });

  it("when the route is public then nothing is read, even a bad header", async () => {
    const fetches = issuer.fetches;
    for (const header of [undefined, "Bearer not-a-token", "Basic x"]) {
      const res = await call("/public", header);
      expect(res.status).toBe(200);
      expect(res.wwwAuthenticate).toBeNull();
    }
    expect(issuer.fetches).toBe(fetches);
  });

  it("when claimsOf is used on an unprotected route then it is a 500 bug", async () => {
    const token = await issuer.sign();
    const res = await call("/forgot-auth", `Bearer ${token}`);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: "INTERNAL", detail: "Internal error" });
  });
});

describe("httpAuth without a key set", () => {
  it("when no key set is configured then protected routes are 401 and public ones work", async () => {
    const { url, server: local } = await listen(appWith(createUnconfiguredVerifier()));
    try {
      const me = await fetch(`${url}/me`, { headers: { authorization: "Bearer a.b.c" } });
      expect(me.status).toBe(401);
      expect(await me.json()).toMatchObject({ detail: "authentication is not configured" });
      expect((await fetch(`${url}/me`)).status).toBe(401);
      expect((await fetch(`${url}/public`)).status).toBe(200);
    } finally {
      local.close();
    }
  });

  it("when auth is disabled for development then every route runs as the developer", async () => {
    const { url, server: local } = await listen(appWith(createDevelopmentVerifier()));
    try {
      const me = await fetch(`${url}/me`);
      expect(await me.json()).toEqual({ sub: "developer" });
      expect((await fetch(`${url}/items`, { method: "POST" })).status).toBe(201);
      expect((await fetch(`${url}/admin`, { method: "DELETE" })).status).toBe(204);
    } finally {
      local.close();
    }
  });
});

describe("bearerChallenge", () => {
  it("when a value holds quotes or backslashes then they are escaped", () => {
    expect(bearerChallenge('a"b\\c', "invalid_token", 'say "hi"')).toBe(
      'Bearer realm="a\\"b\\\\c", error="invalid_token", error_description="say \\"hi\\""',
    );
  });
});
