import type { Item } from "./item.ts";
import type { ItemChanges, ItemCursor, ItemsRepository, WriteResult } from "./items-repo.ts";

/** Orders items by (createTime, id). */
function compare(a: ItemCursor, b: ItemCursor): number {
  const byTime = a.createTime.getTime() - b.createTime.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * An in-process items repository: the embedded default, needing no server.
 * Items are kept sorted by (createTime, id) so a page is a binary search
 * plus a slice.
 */
export function createMemoryItemsRepository(): ItemsRepository {
  const byId = new Map<string, Item>();
  const ordered: Item[] = [];

  /** Index of the first item strictly after the cursor. */
  const firstAfter = (cursor: ItemCursor): number => {
    let low = 0;
    let high = ordered.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(ordered[mid] as Item, cursor) <= 0) low = mid + 1;
      else high = mid;
    }
    return low;
  };

  return {
    async insert(item) {
      byId.set(item.id, item);
      ordered.splice(firstAfter(item), 0, item);
    },
    async get(id) {
      return byId.get(id);
    },
    async list(limit, after) {
      const start = after === undefined ? 0 : firstAfter(after);
      return ordered.slice(start, start + limit);
    },
    async update(id, expectedVersion, changes: ItemChanges, now): Promise<WriteResult<Item>> {
      const current = byId.get(id);
      if (current === undefined) return { status: "not_found" };
      if (current.version !== expectedVersion) {
        return { status: "version_conflict", currentVersion: current.version };
      }
      const next: Item = {
        ...current,
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(changes.description === undefined ? {} : { description: changes.description }),
        ...(changes.tags === undefined ? {} : { tags: [...changes.tags] }),
        version: current.version + 1,
        updateTime: now,
      };
      byId.set(id, next);
      ordered[firstAfter(current) - 1] = next;
      return { status: "ok", value: next };
    },
    async delete(id, expectedVersion) {
      const current = byId.get(id);
      if (current === undefined) return { status: "not_found" };
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        return { status: "version_conflict", currentVersion: current.version };
      }
      byId.delete(id);
      ordered.splice(firstAfter(current) - 1, 1);
      return { status: "ok", value: undefined };
    },
    async close() {
      byId.clear();
      ordered.length = 0;
    },
  };
}
