import type { Item } from "./item.ts";

/** The position after which a page starts: items are ordered by (createTime, id). */
export interface ItemCursor {
  readonly createTime: Date;
  readonly id: string;
}

/** The fields an update replaces. */
export interface ItemChanges {
  readonly name?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
}

/** The outcome of a conditional write. */
export type WriteResult<T> =
  | { readonly status: "ok"; readonly value: T }
  | { readonly status: "not_found" }
  | { readonly status: "version_conflict"; readonly currentVersion: number };

/**
 * The storage port of the items domain. The domain owns it; adapters
 * (in-memory, Postgres) implement it and know nothing of HTTP or RPC.
 */
export interface ItemsRepository {
  /** Stores a new item. */
  insert(item: Item): Promise<void>;
  /** Returns an item, or undefined. */
  get(id: string): Promise<Item | undefined>;
  /** Returns up to `limit` items after the cursor, ordered by (createTime, id). */
  list(limit: number, after?: ItemCursor): Promise<Item[]>;
  /** Applies changes when `expectedVersion` is current; bumps the version. */
  update(
    id: string,
    expectedVersion: number,
    changes: ItemChanges,
    now: Date,
  ): Promise<WriteResult<Item>>;
  /** Deletes an item; with an expected version, only when it is current. */
  delete(id: string, expectedVersion?: number): Promise<WriteResult<undefined>>;
  /** Releases connections. */
  close(): Promise<void>;
}
