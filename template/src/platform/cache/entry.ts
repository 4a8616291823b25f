import type { Serializer } from "./serializer.ts";

/** First character of a stored entry: a value follows, or the key is known not to exist. */
export const present = "1";
export const absent = "0";

/** The text stored for a value (`undefined`: "not found"). */
export function encodeEntry<T>(serializer: Serializer<T>, value: T | undefined): string {
  return value === undefined ? absent : present + serializer.serialize(value);
}

/** Serialised size of an entry: what the L1 byte bound counts. */
export function entryBytes(key: string, text: string): number {
  return Buffer.byteLength(key) + Buffer.byteLength(text);
}
