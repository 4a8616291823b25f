import { isDeepStrictEqual } from "node:util";

/**
 * What a key-aware merge does with one key, given its value in base, ours and theirs
 * (`undefined` where the key is absent): keep ours, take theirs, merge two objects key by key,
 * merge two string arrays, or report a conflict.
 */
export type Decision = "ours" | "theirs" | "merge-objects" | "merge-arrays" | "conflict";

/** Whether a parsed value is a plain object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a parsed value is an array whose elements are all strings. */
export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * Decides a key three ways: the same value on both sides, or a side equal to base, needs no
 * merge; two objects are merged key by key; two string arrays (with a string-array base or
 * none) are merged element-wise; anything else changed on both sides is a conflict.
 */
export function decide(base: unknown, ours: unknown, theirs: unknown): Decision {
  if (isDeepStrictEqual(ours, theirs) || isDeepStrictEqual(base, theirs)) return "ours";
  if (isDeepStrictEqual(base, ours)) return "theirs";
  if (isPlainObject(ours) && isPlainObject(theirs)) return "merge-objects";
  if (isStringArray(ours) && isStringArray(theirs) && (base === undefined || isStringArray(base))) {
    return "merge-arrays";
  }
  return "conflict";
}

/**
 * The key order of a merged mapping: ours' keys in ours' order, less those `keep` rejects;
 * then each key only theirs has, in theirs' order, right after the nearest key before it in
 * theirs that the result holds (at the start when there is none).
 */
export function orderKeys<K>(
  oursKeys: readonly K[],
  theirsKeys: readonly K[],
  keep: (key: K) => boolean,
): K[] {
  const result = oursKeys.filter(keep);
  const inOurs = new Set(oursKeys);
  let insertAt = 0;
  for (const key of theirsKeys) {
    if (inOurs.has(key)) {
      const index = result.indexOf(key);
      if (index >= 0) insertAt = index + 1;
    } else if (keep(key)) {
      result.splice(insertAt, 0, key);
      insertAt += 1;
    }
  }
  return result;
}
