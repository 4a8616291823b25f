import { randomUUID } from "node:crypto";
import { z } from "zod";
import { AppError } from "../../platform/errors/index.ts";
import { parseInput } from "../validation.ts";
import {
  createItemInput,
  type Item,
  itemIdInput,
  listItemsInput,
  pageSizes,
  updateItemInput,
} from "./item.ts";
import type { ItemCursor, ItemsRepository, WriteResult } from "./items-repo.ts";
import { decodePageToken, encodePageToken } from "./page-token.ts";

/** A page of items. */
export interface ItemPage {
  readonly items: readonly Item[];
  /** Empty on the last page. */
  readonly nextPageToken: string;
}

/** The items use cases, shared by the HTTP and RPC adapters. */
export interface ItemsService {
  create(input: unknown): Promise<Item>;
  get(id: string): Promise<Item>;
  list(input: unknown): Promise<ItemPage>;
  update(id: string, input: unknown): Promise<Item>;
  /** Deletes an item; a non-zero version must be the current one. */
  delete(id: string, version?: number): Promise<void>;
}

/** Options of {@link createItemsService}. */
export interface ItemsServiceOptions {
  readonly repository: ItemsRepository;
  /** Clock, for tests. */
  readonly now?: () => Date;
  /** Id generator, for tests. */
  readonly newId?: () => string;
}

/** zod's UUID pattern: the one `itemIdInput` checks. */
const uuidPattern = z.regexes.uuid();

/**
 * An item id in its canonical, lower-case form, or a validation error naming
 * `id`. Every read and write pays it, so a well-formed id is checked with
 * zod's own pattern directly; only a bad one goes through the schema, for
 * its message.
 */
export function parseItemId(id: string): string {
  return uuidPattern.test(id) ? id.toLowerCase() : parseInput(itemIdInput, { id }).id;
}

/**
 * Creates the items use cases. Inputs arrive as plain values from either
 * surface and are validated here, so both surfaces answer alike.
 */
export function createItemsService(options: ItemsServiceOptions): ItemsService {
  const { repository } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;

  return {
    async create(input) {
      const data = parseInput(createItemInput, input);
      const time = now();
      const item: Item = { id: newId(), ...data, version: 1, createTime: time, updateTime: time };
      await repository.insert(item);
      return item;
    },
    async get(id) {
      const item = await repository.get(parseItemId(id));
      if (item === undefined) throw notFound(id);
      return item;
    },
    async list(input) {
      const { pageSize, pageToken } = parseInput(listItemsInput, input);
      const limit = pageSize === 0 ? pageSizes.default : pageSize;
      const after: ItemCursor | undefined =
        pageToken === "" ? undefined : decodePageToken(pageToken);
      const items = await repository.list(limit + 1, after);
      const page = items.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page,
        nextPageToken: items.length > limit && last !== undefined ? encodePageToken(last) : "",
      };
    },
    async update(id, input) {
      const key = parseItemId(id);
      const { version, ...changes } = parseInput(updateItemInput, input);
      return unwrap(await repository.update(key, version, changes, now()), id);
    },
    async delete(id, version) {
      const key = parseItemId(id);
      const expected = version === undefined || version === 0 ? undefined : version;
      unwrap(await repository.delete(key, expected), id);
    },
  };
}

/** Turns a repository write result into a value or a domain error. */
function unwrap<T>(result: WriteResult<T>, id: string): T {
  switch (result.status) {
    case "ok":
      return result.value;
    case "not_found":
      throw notFound(id);
    case "version_conflict":
      throw new AppError(
        "VERSION_CONFLICT",
        `item ${id} is at version ${result.currentVersion}; read it again and retry`,
      );
  }
}

function notFound(id: string): AppError {
  return new AppError("NOT_FOUND", `item ${id} does not exist`);
}
