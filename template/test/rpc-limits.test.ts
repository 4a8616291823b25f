import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Code, createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
import { type RpcTransportName, rpcFailure, rpcTransportNames, useRpcService } from "./harness.ts";

const readMaxBytes = 1024;
const rpc = useRpcService({
  RPC_READ_MAX_BYTES: String(readMaxBytes),
  RATE_LIMIT_ENABLED: "false",
});

const client = (name: RpcTransportName) => createClient(ItemService, rpc.transports.get(name));

/** A full collection, so heap figures compare live objects rather than garbage. */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

describe("RPC message size limit", () => {
  it.each(rpcTransportNames)(
    "when CreateItem carries a 4 KiB description over %s then it fails with resource_exhausted and the service keeps serving",
    async (name) => {
      const err = await rpcFailure(
        client(name).createItem({ name: "big", description: "x".repeat(4096) }),
      );
      expect(err.code).toBe(Code.ResourceExhausted);
      const { item } = await client(name).createItem({ name: "small", description: "fits" });
      expect(item?.version).toBe(1n);
    },
  );

  it("when a message is just under the limit then it is read and validated as usual", async () => {
    const err = await rpcFailure(
      client("grpc h2 binary").createItem({
        name: "near",
        description: "x".repeat(900),
        tags: ["A"],
      }),
    );
    expect(err.code).toBe(Code.InvalidArgument);
  });

  it("when hundreds of oversized calls arrive on kept-alive connections then memory does not grow with them", async () => {
    // Larger than one read, so the server stops in the middle of a message.
    const description = "x".repeat(64 * 1024);
    const names: RpcTransportName[] = ["connect h1 binary", "connect h2 binary", "grpc h2 binary"];
    const batch = async (calls: number) => {
      for (let i = 0; i < calls; i += names.length) {
        const errors = await Promise.all(
          names.map((name) => rpcFailure(client(name).createItem({ name: "big", description }))),
        );
        for (const err of errors) expect(Code[err.code]).toBe(Code[Code.ResourceExhausted]);
      }
      collectGarbage();
      return process.memoryUsage().heapUsed;
    };
    // The first batch warms caches and pools; later batches must not add to it.
    await batch(60);
    const afterFirst = await batch(150);
    const afterSecond = await batch(150);
    // Keeping each refused call's stream would add megabytes per batch.
    expect(afterSecond - afterFirst).toBeLessThan(1024 * 1024);
    const { item } = await client("grpc h2 binary").createItem({ name: "still up" });
    expect(item?.name).toBe("still up");
  });
});
