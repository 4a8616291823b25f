export { createCachedItemsRepository, itemSerializer } from "./cached-items-repo.ts";
export type { Item } from "./item.ts";
export type { ItemJson } from "./items-http-handler.ts";
export { itemToJson, mountItemsRoutes } from "./items-http-handler.ts";
export type { ItemChanges, ItemCursor, ItemsRepository, WriteResult } from "./items-repo.ts";
// lumi:begin rpc
export { createItemsRpcService, itemsRpcPolicies, itemToMessage } from "./items-rpc-handler.ts";
// lumi:end rpc
export type { ItemPage, ItemsService, ItemsServiceOptions } from "./items-service.ts";
export { createItemsService } from "./items-service.ts";
export { createMemoryItemsRepository } from "./memory-items-repo.ts";
export { createSqlItemsRepository } from "./postgres-items-repo.ts";
