import { type Client, Code, createClient } from "@connectrpc/connect";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../src/gen/google/rpc/error_details_pb.ts";
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
import { rpcFailure, rpcTransportNames, useRpcService } from "./harness.ts";

const rpc = useRpcService({ RATE_LIMIT_ENABLED: "false" });

/** Fetches an item over the REST surface of the HTTP listener. */
async function restGet(id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${rpc.svc.httpUrl}/v1/items/${id}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("ItemService over every protocol", () => {
  // Each case starts from an empty store so that the list walk is exact.
  afterEach(async () => {
    const client = createClient(ItemService, rpc.transports.get("connect h1 binary"));
    const { items } = await client.listItems({ pageSize: 100 });
    for (const item of items) await client.deleteItem({ id: item.id });
  });

  describe.each(rpcTransportNames)("%s", (name) => {
    let client: Client<typeof ItemService>;
    beforeAll(() => {
      client = createClient(ItemService, rpc.transports.get(name));
    });

    it("when an item is created then get returns it and REST serves the same item", async () => {
      const { item } = await client.createItem({
        name: ` ${name} `,
        description: "made over RPC",
        tags: ["rpc", "a-1"],
      });
      expect(item?.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(item).toMatchObject({ name: name, description: "made over RPC", version: 1n });
      expect(item?.tags).toEqual(["rpc", "a-1"]);
      expect(item?.createTime?.seconds).toBeGreaterThan(0n);
      const id = item?.id ?? missing();

      const got = await client.getItem({ id });
      expect(got.item).toEqual(item);

      const rest = await restGet(id);
      expect(rest.status).toBe(200);
      expect(rest.body).toMatchObject({ id, name, tags: ["rpc", "a-1"], version: 1 });
    });

    it("when five items are listed with page size 2 then three pages return them oldest first", async () => {
      const created: { id: string; ms: number }[] = [];
      for (let i = 0; i < 5; i++) {
        const { item } = await client.createItem({ name: `item ${i}` });
        const time = item?.createTime ?? missing();
        created.push({
          id: item?.id ?? missing(),
          ms: Number(time.seconds) * 1000 + time.nanos / 1e6,
        });
      }
      // Oldest first; items made within the same millisecond are ordered by id.
      const expected = created
        .sort((a, b) => a.ms - b.ms || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((item) => item.id);
      const pages: string[][] = [];
      let pageToken = "";
      do {
        const page = await client.listItems({ pageSize: 2, pageToken });
        pages.push(page.items.map((item) => item.id));
        pageToken = page.nextPageToken;
      } while (pageToken !== "" && pages.length < 10);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(expected);
    });

    it("when an item is updated with its version then fields change, tags follow update_tags and the version bumps", async () => {
      const { item } = await client.createItem({ name: "before", tags: ["keep"] });
      const id = item?.id ?? missing();

      const renamed = await client.updateItem({ id, version: 1n, name: "after", tags: ["x"] });
      expect(renamed.item).toMatchObject({ name: "after", version: 2n, tags: ["keep"] });

      const retagged = await client.updateItem({
        id,
        version: 2n,
        tags: ["new", "tags"],
        updateTags: true,
      });
      expect(retagged.item).toMatchObject({ name: "after", version: 3n, tags: ["new", "tags"] });

      const cleared = await client.updateItem({ id, version: 3n, updateTags: true });
      expect(cleared.item).toMatchObject({ version: 4n, tags: [] });

      expect((await restGet(id)).body).toMatchObject({ name: "after", version: 4, tags: [] });
    });

    it("when an update carries a stale version then it fails with aborted and reason VERSION_CONFLICT", async () => {
      const { item } = await client.createItem({ name: "contended" });
      const id = item?.id ?? missing();
      await client.updateItem({ id, version: 1n, name: "first writer" });

      const err = await rpcFailure(client.updateItem({ id, version: 1n, name: "second writer" }));
      expect(err.code).toBe(Code.Aborted);
      expect(err.rawMessage).toContain("version 2");
      expect(err.findDetails(ErrorInfoSchema)[0]).toMatchObject({
        reason: "VERSION_CONFLICT",
        domain: "lumi",
      });
      expect((await client.getItem({ id })).item?.name).toBe("first writer");
    });

    it("when an item is deleted then get fails with not_found over RPC and REST answers 404", async () => {
      const { item } = await client.createItem({ name: "short-lived" });
      const id = item?.id ?? missing();

      const stale = await rpcFailure(client.deleteItem({ id, version: 7n }));
      expect(stale.code).toBe(Code.Aborted);

      await client.deleteItem({ id, version: 1n });
      const err = await rpcFailure(client.getItem({ id }));
      expect(err.code).toBe(Code.NotFound);
      expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("NOT_FOUND");
      expect((await restGet(id)).status).toBe(404);
    });
  });
});

describe("ItemService and the REST surface", () => {
  it("when an item is created over REST then RPC reads it and sees REST's update", async () => {
    const client = createClient(ItemService, rpc.transports.get("grpc h2 binary"));
    const created = await fetch(`${rpc.svc.httpUrl}/v1/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "from rest", tags: ["http"] }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    expect((await client.getItem({ id })).item).toMatchObject({ name: "from rest", version: 1n });
    const patched = await fetch(`${rpc.svc.httpUrl}/v1/items/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json", "if-match": '"1"' },
      body: JSON.stringify({ name: "patched" }),
    });
    expect(patched.status).toBe(200);
    expect((await client.getItem({ id })).item).toMatchObject({ name: "patched", version: 2n });
  });
});

function missing(): never {
  throw new Error("missing value");
}
