import { type Client, Code, createClient } from "@connectrpc/connect";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMemoryItemsRepository } from "../src/app/items/index.ts";
import { BadRequestSchema, ErrorInfoSchema } from "../src/gen/google/rpc/error_details_pb.ts";
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
import {
  AppError,
  type ErrorCode,
  errorCatalogue,
  errorCodes,
} from "../src/platform/errors/index.ts";
import { connectCodes } from "../src/platform/rpc/index.ts";
import { type RpcTransportName, rpcFailure, useRpcService } from "./harness.ts";

/** What the repository throws from `get` next; undefined lets it work. */
let failure: unknown;
const memory = createMemoryItemsRepository();
const repository = {
  ...memory,
  async get(id: string) {
    if (failure !== undefined) throw failure;
    return memory.get(id);
  },
};

const rpc = useRpcService({ RATE_LIMIT_ENABLED: "false" }, { itemsRepository: repository });

afterEach(() => {
  failure = undefined;
});

const anyId = "00000000-0000-4000-8000-000000000000";
const viaTransports: readonly RpcTransportName[] = ["connect h1 json", "grpc h2 binary"];

describe.each(viaTransports)("the RPC error model over %s", (name) => {
  let client: Client<typeof ItemService>;
  beforeAll(() => {
    client = createClient(ItemService, rpc.transports.get(name));
  });

  it.each(errorCodes)(
    "when the repository throws %s then the client gets the catalogue's code, message, request id and ErrorInfo",
    async (code: ErrorCode) => {
      failure = new AppError(code, `msg for ${code}`);
      const requestId = `err-${code.toLowerCase()}`;
      const err = await rpcFailure(
        client.getItem({ id: anyId }, { headers: { "x-request-id": requestId } }),
      );
      expect(Code[err.code]).toBe(Code[connectCodes[code]]);
      expect(err.rawMessage).toBe(`msg for ${code}`);
      expect(err.metadata.get("x-request-id")).toBe(requestId);
      expect(err.metadata.get("lumi-error-code")).toBe(code);
      const infos = err.findDetails(ErrorInfoSchema);
      expect(infos).toHaveLength(1);
      expect(infos[0]).toMatchObject({
        reason: code,
        domain: "lumi",
        metadata: { request_id: requestId },
      });
      expect(err.findDetails(BadRequestSchema)).toEqual([]);
    },
  );

  it("when CreateItem has an empty name and a bad tag then invalid_argument carries two field violations", async () => {
    const err = await rpcFailure(client.createItem({ name: "  ", tags: ["ok", "Not OK"] }));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("VALIDATION_FAILED");
    const [badRequest, ...more] = err.findDetails(BadRequestSchema);
    expect(more).toEqual([]);
    const violations = badRequest?.fieldViolations.map((v) => [v.field, v.description]);
    expect(violations).toEqual([
      ["name", "must not be empty"],
      ["tags.1", "must contain only a-z, 0-9 and -"],
    ]);
  });

  it("when an id is not a UUID then invalid_argument names the id field", async () => {
    const err = await rpcFailure(client.getItem({ id: "nope" }));
    expect(err.code).toBe(Code.InvalidArgument);
    const violations = err.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [];
    expect(violations.map((v) => v.field)).toEqual(["id"]);
  });

  it("when the repository throws a non-operational AppError then the client gets the catalogue's title, not its message", async () => {
    failure = new AppError("DEPENDENCY_FAILED", "pool exhausted at db-7.internal", {
      operational: false,
    });
    const err = await rpcFailure(client.getItem({ id: anyId }));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toBe(errorCatalogue.DEPENDENCY_FAILED.title);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("DEPENDENCY_FAILED");
  });

  it("when the repository throws a plain Error then the client gets internal without the secret, the log has the stack, and the service keeps serving", async () => {
    failure = new Error("secret internal detail");
    const requestId = `bug-${name.replaceAll(" ", "-")}`;
    const err = await rpcFailure(
      client.getItem({ id: anyId }, { headers: { "x-request-id": requestId } }),
    );
    expect(err.code).toBe(Code.Internal);
    expect(err.rawMessage).toBe(errorCatalogue.INTERNAL.title);
    expect(JSON.stringify([err.message, err.details, [...err.metadata]])).not.toContain("secret");
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("INTERNAL");
    expect(err.metadata.get("x-request-id")).toBe(requestId);

    const logged = rpc.svc.logs.find((l) => l.msg === "rpc failed" && l.request_id === requestId);
    expect(logged?.level).toBe("error");
    const loggedErr = logged?.err as { message?: string; stack?: string } | undefined;
    expect(loggedErr?.message).toBe("secret internal detail");
    expect(loggedErr?.stack).toContain("rpc-errors.test.ts");
    const rpcLine = rpc.svc.logs.find((l) => l.msg === "rpc" && l.request_id === requestId);
    expect(rpcLine).toMatchObject({ level: "error", code: "internal" });

    failure = undefined;
    const { item } = await client.createItem({ name: "still serving" });
    expect((await client.getItem({ id: item?.id ?? "" })).item?.name).toBe("still serving");
  });
});
