import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type Item as ItemMessage,
  ItemSchema,
  type ItemService,
} from "../../gen/lumi/template/v1/items_pb.ts";
import { type RpcPolicies, requireScopes } from "../../platform/auth/index.ts";
import type { Item } from "./item.ts";
import type { ItemsService } from "./items-service.ts";

/** Renders an item as its protobuf message. */
export function itemToMessage(item: Item): ItemMessage {
  return create(ItemSchema, {
    id: item.id,
    name: item.name,
    description: item.description,
    tags: [...item.tags],
    version: BigInt(item.version),
    createTime: timestampFromDate(item.createTime),
    updateTime: timestampFromDate(item.updateTime),
  });
}

/**
 * Who may call which ItemService procedure: reads need `items:read`, writes
 * `items:write` (the same scopes as the REST routes).
 */
export const itemsRpcPolicies: RpcPolicies = {
  "lumi.template.v1.ItemService": requireScopes("items:read"),
  "lumi.template.v1.ItemService/CreateItem": requireScopes("items:write"),
  "lumi.template.v1.ItemService/UpdateItem": requireScopes("items:write"),
  "lumi.template.v1.ItemService/DeleteItem": requireScopes("items:write"),
};

/**
 * The ItemService implementation: thin adapters that turn RPC messages into
 * calls of the items service. Errors are the domain's; the recovery
 * interceptor maps them to Connect codes.
 */
export function createItemsRpcService(items: ItemsService): ServiceImpl<typeof ItemService> {
  return {
    async createItem(req) {
      const item = await items.create({
        name: req.name,
        description: req.description,
        tags: req.tags,
      });
      return { item: itemToMessage(item) };
    },
    async getItem(req) {
      return { item: itemToMessage(await items.get(req.id)) };
    },
    async listItems(req) {
      const page = await items.list({ pageSize: req.pageSize, pageToken: req.pageToken });
      return { items: page.items.map(itemToMessage), nextPageToken: page.nextPageToken };
    },
    async updateItem(req) {
      const item = await items.update(req.id, {
        version: Number(req.version),
        ...(req.name === undefined ? {} : { name: req.name }),
        ...(req.description === undefined ? {} : { description: req.description }),
        ...(req.updateTags ? { tags: req.tags } : {}),
      });
      return { item: itemToMessage(item) };
    },
    async deleteItem(req) {
      await items.delete(req.id, Number(req.version));
      return {};
    },
  };
}
