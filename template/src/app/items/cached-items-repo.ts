import { z } from "zod";
import { type Cache, jsonSerializer, type Serializer } from "../../platform/cache/index.ts";
import type { Item } from "./item.ts";
import type { ItemsRepository } from "./items-repo.ts";

/** The stored shape of an item (version 1): dates as ISO strings, checked on the way back. */
const storedItem = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  version: z.number().int().positive(),
  createTime: z.coerce.date(),
  updateTime: z.coerce.date(),
});

/** How items are stored in Redis; bump `version` whenever {@link Item} changes shape. */
export const itemSerializer: Serializer<Item> = jsonSerializer<Item>({
  version: 1,
  revive: (parsed) => storedItem.parse(parsed),
});

/**
 * Puts a read-through cache in front of an items repository: `get` reads
 * through the cache (a missing item is cached negatively), every update and
 * delete invalidates the item in both tiers and on the other instances,
 * whatever its outcome (a version conflict means this instance's copy may be
 * old). Lists and conditional writes always go to the repository. Both the
 * HTTP and the RPC surface use it through the items service.
 */
export function createCachedItemsRepository(
  repository: ItemsRepository,
  cache: Cache<Item>,
): ItemsRepository {
  return {
    insert: (item) => repository.insert(item),
    get: (id) => cache.get(id, (key) => repository.get(key)),
    list: (limit, after) => repository.list(limit, after),
    async update(id, expectedVersion, changes, now) {
      try {
        return await repository.update(id, expectedVersion, changes, now);
      } finally {
        await cache.invalidate(id);
      }
    },
    async delete(id, expectedVersion) {
      try {
        return await repository.delete(id, expectedVersion);
      } finally {
        await cache.invalidate(id);
      }
    },
    close: () => repository.close(),
  };
}
