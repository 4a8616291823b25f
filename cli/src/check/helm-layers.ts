import { isMap, isNode, isScalar } from "yaml";
import { findPair, type LocatedDocument, pairLine } from "./source.ts";

/** Where a merged Helm value comes from, or the nearest place it could be set. */
export interface LayeredValue {
  /** Whether the merged values have the key. */
  readonly found: boolean;
  /** Whether a layer removed the key by setting it (or a parent) to null. */
  readonly removed: boolean;
  /** The merged value when found. */
  readonly value?: unknown;
  /** The file of the key, or of its deepest present parent. */
  readonly file?: string;
  readonly line?: number;
}

function isNull(node: unknown): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

/**
 * Looks a key path up in Helm values files layered like `helm -f a -f b`
 * (later files win; maps merge key by key; null removes a key; any other
 * value replaces), keeping the file and line it comes from.
 */
export function lookupLayered(
  layers: readonly LocatedDocument[],
  keys: readonly string[],
): LayeredValue {
  let nearest: { file: string; line?: number } | undefined;
  let nearestDepth = 0;
  for (const layer of [...layers].reverse()) {
    let node: unknown = layer.doc.contents;
    for (const [depth, key] of keys.entries()) {
      const pair = findPair(node, key);
      if (pair === undefined) break;
      const at = { file: layer.file, line: pairLine(layer, pair) };
      if (depth + 1 > nearestDepth) [nearest, nearestDepth] = [at, depth + 1];
      if (isNull(pair.value)) return { found: false, removed: true, ...at };
      if (depth === keys.length - 1) {
        const value = isNode(pair.value) ? pair.value.toJS(layer.doc) : pair.value;
        return { found: true, removed: false, value, ...at };
      }
      if (!isMap(pair.value)) return { found: false, removed: false, ...at };
      node = pair.value;
    }
  }
  return { found: false, removed: false, ...nearest };
}
