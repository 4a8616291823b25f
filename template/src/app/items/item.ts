import { z } from "zod";

/** An item of the example domain. */
export interface Item {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** Optimistic-concurrency version: 1 on create, +1 on every update. */
  readonly version: number;
  readonly createTime: Date;
  readonly updateTime: Date;
}

const tag = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9-]+$/, "must contain only a-z, 0-9 and -");
const name = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, "must not contain control characters");
const description = z
  .string()
  .max(2000)
  .refine(
    (text) => !/\p{Cc}/u.test(text.replace(/[\t\n\r]/g, "")),
    "must not contain control characters other than tab and newlines",
  );
const tags = z
  .array(tag)
  .max(20)
  .refine((list) => new Set(list).size === list.length, "must not repeat a tag");

/** What a client gives to create an item. */
export const createItemInput = z.strictObject({
  name,
  description: description.default(""),
  tags: tags.default([]),
});
/** A validated create input. */
export type CreateItemInput = z.output<typeof createItemInput>;

/** What a client gives to change an item: the version it read and the fields to replace. */
export const updateItemInput = z.strictObject({
  version: z.number().int().positive(),
  name: name.optional(),
  description: description.optional(),
  tags: tags.optional(),
});
/** A validated update input. */
export type UpdateItemInput = z.output<typeof updateItemInput>;

/** Largest and default page sizes of a list. */
export const pageSizes = { default: 20, max: 100 } as const;

/** What a client gives to list items. */
export const listItemsInput = z.strictObject({
  pageSize: z.number().int().min(0).max(pageSizes.max).default(0),
  pageToken: z.string().max(512).default(""),
});
/** A validated list input. */
export type ListItemsInput = z.output<typeof listItemsInput>;

/** An item id: a UUID. */
export const itemIdInput = z.object({
  id: z.uuid("must be a UUID").transform((id) => id.toLowerCase()),
});
