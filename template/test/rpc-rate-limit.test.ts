import { Code, createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../src/gen/google/rpc/error_details_pb.ts";
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
import { type RpcTransportName, rpcFailure, useRpcService } from "./harness.ts";

// Loopback is a trusted proxy, so each test can be its own client (X-Forwarded-For)
// with its own bucket.
const rpc = useRpcService({
  RATE_LIMIT_BURST: "3",
  RATE_LIMIT_PER_SECOND: "1",
  TRUSTED_PROXIES: "loopback",
});

const viaTransports: readonly [RpcTransportName, string][] = [
  ["connect h1 json", "203.0.113.1"],
  ["connect h2 binary", "203.0.113.2"],
  ["grpc h2 binary", "203.0.113.3"],
  ["grpc-web h1 binary", "203.0.113.4"],
];

describe("RPC rate limit", () => {
  it.each(viaTransports)(
    "when a client makes a 4th quick call over %s then it fails with resource_exhausted, reason RATE_LIMITED and retry-after",
    async (name, clientIp) => {
      const client = createClient(ItemService, rpc.transports.get(name));
      const headers = { "x-forwarded-for": clientIp, "x-request-id": `limited-${clientIp}` };
      for (let i = 0; i < 3; i++) await client.listItems({}, { headers });

      const err = await rpcFailure(client.listItems({}, { headers }));
      expect(err.code).toBe(Code.ResourceExhausted);
      expect(err.findDetails(ErrorInfoSchema)[0]).toMatchObject({
        reason: "RATE_LIMITED",
        domain: "lumi",
      });
      expect(err.metadata.get("retry-after")).toBe("1");
      expect(err.metadata.get("lumi-error-code")).toBe("RATE_LIMITED");
      const line = rpc.svc.logs.find(
        (l) => l.msg === "rpc" && l.request_id === headers["x-request-id"] && l.code !== "ok",
      );
      expect(line).toMatchObject({
        level: "info",
        code: "resource_exhausted",
        client_ip: clientIp,
      });
    },
  );

  it("when one client is limited then another client still gets through", async () => {
    const client = createClient(ItemService, rpc.transports.get("grpc h2 binary"));
    const limited = { "x-forwarded-for": "198.51.100.7" };
    for (let i = 0; i < 3; i++) await client.listItems({}, { headers: limited });
    expect((await rpcFailure(client.listItems({}, { headers: limited }))).code).toBe(
      Code.ResourceExhausted,
    );
    const other = await client.listItems({}, { headers: { "x-forwarded-for": "198.51.100.8" } });
    expect(other.items).toEqual([]);
  });

  it("when a client spent its bucket over RPC then its HTTP requests are limited too", async () => {
    const client = createClient(ItemService, rpc.transports.get("connect h1 binary"));
    const headers = { "x-forwarded-for": "198.51.100.9" };
    for (let i = 0; i < 3; i++) await client.listItems({}, { headers });
    const res = await fetch(`${rpc.svc.httpUrl}/v1/items`, { headers });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
  });

  it("when the bucket refills then the client is served again", async () => {
    const client = createClient(ItemService, rpc.transports.get("connect h2 json"));
    const headers = { "x-forwarded-for": "198.51.100.10" };
    for (let i = 0; i < 3; i++) await client.listItems({}, { headers });
    const err = await rpcFailure(client.listItems({}, { headers }));
    const retryAfter = Number(err.metadata.get("retry-after"));
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 50));
    expect((await client.listItems({}, { headers })).items).toEqual([]);
  });
});
