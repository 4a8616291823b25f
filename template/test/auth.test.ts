// lumi:begin rpc
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
// lumi:end rpc
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// lumi:begin rpc
import { Health, HealthCheckResponse_ServingStatus } from "../src/gen/grpc/health/v1/health_pb.ts";
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
// lumi:end rpc
import { startService, type TestService } from "./harness.ts";
import { createTestIssuer, type TestIssuer } from "./test-issuer.ts";

// lumi:begin rpc
// The whole service with real authentication: a local issuer publishes its
// keys over HTTP and the service verifies tokens against them on both
// surfaces, with the scopes the items routes and procedures declare.
// lumi:end rpc
// lumi:begin !rpc
// // The whole service with real authentication: a local issuer publishes its
// // keys over HTTP and the service verifies tokens against them, with the
// // scopes the items routes declare.
// lumi:end !rpc

let issuer: TestIssuer;
let svc: TestService;
let reader: string;
let writer: string;

beforeAll(async () => {
  issuer = await createTestIssuer();
  svc = await startService({
    AUTH_DISABLE_FOR_DEVELOPMENT: "false",
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
  });
  reader = await issuer.sign({ sub: "reader", scope: "items:read" });
  writer = await issuer.sign({ sub: "writer", scope: "items:read items:write" });
});

afterAll(async () => {
  await svc?.stop();
  await issuer?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("HTTP with authentication configured", () => {
  it("when no token is sent then 401 with a Bearer challenge", async () => {
    const res = await fetch(`${svc.httpUrl}/v1/items`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(((await res.json()) as { code: string }).code).toBe("UNAUTHENTICATED");
  });

  it("when a forged token is sent then 401 says invalid_token", async () => {
    const res = await fetch(`${svc.httpUrl}/v1/items`, {
      headers: bearer(`${reader.slice(0, -4)}AAAA`),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("when a reader lists and then tries to create then 200 and 403", async () => {
    expect((await fetch(`${svc.httpUrl}/v1/items`, { headers: bearer(reader) })).status).toBe(200);
    const res = await fetch(`${svc.httpUrl}/v1/items`, {
      method: "POST",
      headers: { ...bearer(reader), "content-type": "application/json" },
      body: JSON.stringify({ name: "denied" }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe("PERMISSION_DENIED");
  });

  it("when a writer creates then 201, and the token never reaches the logs", async () => {
    const res = await fetch(`${svc.httpUrl}/v1/items`, {
      method: "POST",
      headers: { ...bearer(writer), "content-type": "application/json" },
      body: JSON.stringify({ name: "allowed" }),
    });
    expect(res.status).toBe(201);
    const logs = JSON.stringify(svc.logs);
    expect(logs).not.toContain(writer);
    expect(logs).not.toContain(writer.split(".")[2]);
  });

  it("when the ops port is asked then no token is needed", async () => {
    expect((await fetch(`${svc.opsUrl}/readyz`)).status).toBe(200);
  });
});
// lumi:begin rpc

describe("RPC with authentication configured", () => {
  const transports = () => [
    createConnectTransport({ baseUrl: svc.rpcUrl, httpVersion: "1.1" }),
    createGrpcTransport({ baseUrl: svc.rpcUrl }),
  ];

  it("when no token is sent then Unauthenticated on Connect and gRPC", async () => {
    for (const transport of transports()) {
      const error = await createClient(ItemService, transport)
        .listItems({})
        .catch((e: unknown) => ConnectError.from(e));
      expect((error as ConnectError).code).toBe(Code.Unauthenticated);
    }
  });

  it("when a reader reads and writes then the read works and the write is PermissionDenied", async () => {
    for (const transport of transports()) {
      const client = createClient(ItemService, transport);
      await client.listItems({}, { headers: bearer(reader) });
      const error = await client
        .createItem({ name: "denied" }, { headers: bearer(reader) })
        .catch((e: unknown) => ConnectError.from(e));
      expect((error as ConnectError).code).toBe(Code.PermissionDenied);
    }
  });

  it("when the health service is asked without a token then it answers", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: svc.rpcUrl }));
    expect((await health.check({ service: "" })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
  });
});
// lumi:end rpc

describe("authentication not configured", () => {
  it("when the service has no JWKS URL and no development principal then protected routes answer 401", async () => {
    const bare = await startService({ AUTH_DISABLE_FOR_DEVELOPMENT: "false" });
    try {
      expect((await fetch(`${bare.httpUrl}/v1/items`)).status).toBe(401);
      expect(
        bare.logs.some((line) => String(line.msg).startsWith("authentication is not configured")),
      ).toBe(true);
    } finally {
      await bare.stop();
    }
  });
});
