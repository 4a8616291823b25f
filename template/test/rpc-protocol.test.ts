import { Code, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { describe, expect, it } from "vitest";
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
import { rpcFailure, useRpcService } from "./harness.ts";

const rpc = useRpcService({ RATE_LIMIT_ENABLED: "false", RPC_READ_MAX_BYTES: "1024" });

const createItemPath = "/lumi.template.v1.ItemService/CreateItem";

/** Posts a raw body to a procedure with the Connect protocol's JSON codec. */
async function postJson(body: string | Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(`${rpc.svc.rpcUrl}${createItemPath}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  return { res, text, json: () => JSON.parse(text) as { code?: string; message?: string } };
}

describe("malformed Connect requests", () => {
  it("when the JSON body is invalid then the answer is 400 with code invalid_argument and the request id", async () => {
    const { res, json } = await postJson("{not json", { "x-request-id": "malformed-1" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(json().code).toBe("invalid_argument");
    expect(res.headers.get("x-request-id")).toBe("malformed-1");
  });

  it.each([
    ["an empty body", ""],
    ["a JSON array", "[]"],
    ["a number for a string field", '{"name": 5}'],
    ["a string for a repeated field", '{"name": "x", "tags": "a"}'],
    ["a truncated document", '{"name": "x"'],
    ["a bare null", "null"],
    ["invalid UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ])(
    "when the body is %s then the answer is a 4xx invalid_argument, never a 5xx",
    async (_what, body) => {
      const { res, json } = await postJson(body);
      expect(res.status).toBe(400);
      expect(json().code).toBe("invalid_argument");
    },
  );

  it("when the body is valid JSON with invalid fields then the domain refuses it with 400", async () => {
    const { res, json } = await postJson('{"name": "", "tags": ["Bad Tag"]}');
    expect(res.status).toBe(400);
    expect(json()).toMatchObject({
      code: "invalid_argument",
      message: "the request has invalid fields",
    });
  });

  it.each([
    ["text/plain", 415],
    ["application/xml", 415],
  ])("when the content type is %s then the answer is %i, never a 5xx", async (type, status) => {
    const res = await fetch(`${rpc.svc.rpcUrl}${createItemPath}`, {
      method: "POST",
      headers: { "content-type": type },
      body: "{}",
    });
    await res.body?.cancel();
    expect(res.status).toBe(status);
  });

  it.each(["GET", "PUT", "DELETE"])(
    "when CreateItem is called with %s then the answer is 405",
    async (method) => {
      const res = await fetch(`${rpc.svc.rpcUrl}${createItemPath}`, { method });
      await res.body?.cancel();
      expect(res.status).toBe(405);
    },
  );

  it("when the connect-timeout-ms header is not a number then the answer is 400 invalid_argument", async () => {
    const { res, json } = await postJson("{}", { "connect-timeout-ms": "soon" });
    expect(res.status).toBe(400);
    expect(json().code).toBe("invalid_argument");
  });

  it("when malformed requests were refused then the service keeps serving", async () => {
    const { res, json } = await postJson('{"name": "after the noise"}');
    expect(res.status).toBe(200);
    expect(json()).toMatchObject({ item: { name: "after the noise", version: "1" } });
  });
});

describe("unknown procedures", () => {
  it.each([
    "/lumi.template.v1.ItemService/DropAllItems",
    "/lumi.template.v1.NoSuchService/CreateItem",
    "/v1/items",
    "/",
  ])("when %s is posted then the answer is 404", async (path) => {
    const res = await fetch(`${rpc.svc.rpcUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    await res.body?.cancel();
    expect(res.status).toBe(404);
  });

  it("when a Connect or gRPC client calls a procedure the server does not have then it fails with unimplemented", async () => {
    // The same procedures under a path prefix the server does not serve.
    const baseUrl = `${rpc.svc.rpcUrl}/elsewhere`;
    const sessionManager = new Http2SessionManager(baseUrl);
    const clients = [
      createClient(ItemService, createConnectTransport({ baseUrl, httpVersion: "1.1" })),
      createClient(ItemService, createGrpcTransport({ baseUrl, sessionManager })),
    ];
    try {
      for (const client of clients) {
        const err = await rpcFailure(client.listItems({}));
        expect(Code[err.code]).toBe(Code[Code.Unimplemented]);
      }
    } finally {
      sessionManager.abort();
    }
  });
});

describe("errors raised by the Connect runtime", () => {
  it.each(["connect h1 json", "grpc h2 binary", "grpc-web h1 binary"] as const)(
    "when a message over the limit is refused over %s then the error still carries the request id",
    async (name) => {
      const client = createClient(ItemService, rpc.transports.get(name));
      const err = await rpcFailure(
        client.createItem(
          { name: "big", description: "x".repeat(4096) },
          { headers: { "x-request-id": `too-big-${name.replaceAll(" ", "-")}` } },
        ),
      );
      expect(err.code).toBe(Code.ResourceExhausted);
      expect(err.metadata.get("x-request-id")).toBe(`too-big-${name.replaceAll(" ", "-")}`);
    },
  );
});

describe("calls refused by the Connect runtime are logged", () => {
  const refusedLine = (requestId: string) =>
    rpc.svc.logs.find((line) => line.msg === "rpc" && line.request_id === requestId);

  it("when a malformed body is refused then one rpc line names the procedure and invalid_argument", async () => {
    await postJson("{not json", { "x-request-id": "refused-json" });
    await expect
      .poll(() => refusedLine("refused-json"))
      .toMatchObject({
        procedure: createItemPath,
        code: "invalid_argument",
        http_status: 400,
        refused_by_runtime: true,
      });
    expect(rpc.svc.logs.filter((line) => line.request_id === "refused-json")).toHaveLength(1);
  });

  it.each(["connect h1 json", "grpc h2 binary", "grpc-web h1 binary"] as const)(
    "when a message over the limit is refused over %s then its rpc line says resource_exhausted",
    async (name) => {
      const requestId = `refused-big-${name.replaceAll(" ", "-")}`;
      const client = createClient(ItemService, rpc.transports.get(name));
      await rpcFailure(
        client.createItem(
          { name: "big", description: "x".repeat(4096) },
          { headers: { "x-request-id": requestId } },
        ),
      );
      await expect
        .poll(() => refusedLine(requestId))
        .toMatchObject({ code: "resource_exhausted", refused_by_runtime: true });
    },
  );

  it("when a call reaches the interceptors then it is logged once, without the runtime flag", async () => {
    const client = createClient(ItemService, rpc.transports.get("connect h1 json"));
    await client.listItems({}, { headers: { "x-request-id": "handled-once" } });
    await expect.poll(() => refusedLine("handled-once")).toBeDefined();
    const lines = rpc.svc.logs.filter((line) => line.request_id === "handled-once");
    expect(lines).toHaveLength(1);
    expect(lines[0]?.refused_by_runtime).toBeUndefined();
  });
});
