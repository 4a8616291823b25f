import { mergeStringArrays } from "./string-array.ts";
import { decide, isPlainObject, isStringArray, orderKeys } from "./three-way.ts";

/** A key both sides changed differently; `undefined` on a side means that side removed it. */
export interface JsonConflict {
  readonly kind: "conflict";
  /** The key path, e.g. "dependencies.express"; undefined for the whole document. */
  readonly key: string | undefined;
  readonly ours: unknown;
  readonly theirs: unknown;
}

/** A merged JSON value: a plain value, an object merged key by key, or a conflict. */
export type JsonTree =
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "object"; readonly entries: readonly (readonly [string, JsonTree])[] }
  | JsonConflict;

function mergeObjects(
  base: Record<string, unknown>,
  ours: Record<string, unknown>,
  theirs: Record<string, unknown>,
  path: readonly string[],
): JsonTree {
  const merged = new Map<string, JsonTree>();
  for (const key of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
    const value = mergeJsonValues(base[key], ours[key], theirs[key], [...path, key]);
    if (value !== undefined) merged.set(key, value);
  }
  const order = orderKeys(Object.keys(ours), Object.keys(theirs), (key) => merged.has(key));
  return { kind: "object", entries: order.map((key) => [key, merged.get(key) as JsonTree]) };
}

/**
 * Merges one JSON value three ways (`undefined` where absent): objects key by key, arrays of
 * strings element by element, other values whole. Returns undefined when the merged key is
 * absent (removed on one side, untouched on the other).
 */
export function mergeJsonValues(
  base: unknown,
  ours: unknown,
  theirs: unknown,
  path: readonly string[],
): JsonTree | undefined {
  const decision = decide(base, ours, theirs);
  if (decision === "merge-objects") {
    const from = isPlainObject(base) ? base : {};
    return mergeObjects(
      from,
      ours as Record<string, unknown>,
      theirs as Record<string, unknown>,
      path,
    );
  }
  if (decision === "merge-arrays") {
    const from = isStringArray(base) ? base : [];
    const merged = mergeStringArrays(from, ours as string[], theirs as string[]);
    if (merged !== undefined) return { kind: "value", value: merged };
  }
  if (decision === "ours") return ours === undefined ? undefined : { kind: "value", value: ours };
  if (decision === "theirs")
    return theirs === undefined ? undefined : { kind: "value", value: theirs };
  const key = path.length === 0 ? undefined : path.join(".");
  return { kind: "conflict", key, ours, theirs };
}

/** Whether a merged tree holds no conflict. */
export function isClean(tree: JsonTree): boolean {
  if (tree.kind === "conflict") return false;
  return tree.kind === "value" || tree.entries.every(([, value]) => isClean(value));
}

/** The plain value of a merged tree without conflicts. */
export function treeValue(tree: JsonTree): unknown {
  if (tree.kind === "value") return tree.value;
  if (tree.kind === "object") {
    return Object.fromEntries(tree.entries.map(([key, value]) => [key, treeValue(value)]));
  }
  return tree.ours;
}
