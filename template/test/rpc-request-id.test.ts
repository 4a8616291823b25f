import { type Client, Code, createClient } from "@connectrpc/connect";
import { beforeAll, describe, expect, it } from "vitest";
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
import { type LogLine, type RpcTransportName, rpcFailure, useRpcService } from "./harness.ts";

const rpc = useRpcService({ RATE_LIMIT_ENABLED: "false" });

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const viaTransports: readonly RpcTransportName[] = [
  "connect h1 json",
  "connect h2 binary",
  "grpc h2 binary",
  "grpc-web h1 binary",
];

/** The access log lines of the RPC listener carrying a request id. */
const rpcLines = (requestId: string): LogLine[] =>
  rpc.svc.logs.filter((line) => line.msg === "rpc" && line.request_id === requestId);

describe.each(viaTransports)("request ids over %s", (name) => {
  let client: Client<typeof ItemService>;
  beforeAll(() => {
    client = createClient(ItemService, rpc.transports.get(name));
  });

  /** Lists items with the given request headers; resolves with the response headers. */
  async function list(headers: Record<string, string>): Promise<Headers> {
    let received: Headers | undefined;
    await client.listItems({}, { headers, onHeader: (h) => (received = h) });
    if (received === undefined) throw new Error("no response headers");
    return received;
  }

  it("when a valid x-request-id arrives then it is echoed in the response headers and the rpc log line", async () => {
    const requestId = `Req-1.a:b@c_${name.replaceAll(" ", "-")}`;
    const headers = await list({ "x-request-id": requestId });
    expect(headers.get("x-request-id")).toBe(requestId);
    const [line, ...more] = rpcLines(requestId);
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: "info",
      procedure: "/lumi.template.v1.ItemService/ListItems",
      code: "ok",
      client_ip: "127.0.0.1",
    });
    expect(typeof line?.duration_ms).toBe("number");
  });

  it.each([
    ["has spaces", "not a valid id"],
    ["is too long", "a".repeat(129)],
    ["has markup", "<script>alert(1)</script>"],
    ["is empty", ""],
  ])("when the incoming x-request-id %s then a new uuid replaces it", async (_why, incoming) => {
    const headers = await list({ "x-request-id": incoming });
    const echoed = headers.get("x-request-id") ?? "";
    expect(echoed).toMatch(uuid);
    expect(rpcLines(echoed)).toHaveLength(1);
    const leaked = incoming.length > 0 && JSON.stringify(rpc.svc.logs).includes(incoming);
    expect(leaked).toBe(false);
  });

  it("when no x-request-id arrives then each call gets its own generated uuid", async () => {
    const first = (await list({})).get("x-request-id") ?? "";
    const second = (await list({})).get("x-request-id") ?? "";
    expect(first).toMatch(uuid);
    expect(second).toMatch(uuid);
    expect(second).not.toBe(first);
    expect(rpcLines(first)).toHaveLength(1);
  });

  it("when a call fails then the error metadata and the rpc log line carry the request id", async () => {
    const requestId = `failing-${name.replaceAll(" ", "-")}`;
    const err = await rpcFailure(
      client.getItem({ id: "not-a-uuid" }, { headers: { "x-request-id": requestId } }),
    );
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.metadata.get("x-request-id")).toBe(requestId);
    expect(rpcLines(requestId)).toMatchObject([{ level: "info", code: "invalid_argument" }]);
  });
});
