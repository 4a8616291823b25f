import {
  isCollection,
  isMap,
  isNode,
  isScalar,
  isSeq,
  Pair,
  Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { mergeStringArrays } from "./string-array.ts";
import { decide, isStringArray, orderKeys } from "./three-way.ts";
import { type Commented, commentsIn, mergeMeta, mergePairMeta } from "./yaml-comments.ts";

/** A key both sides changed differently, left in the merged document as a placeholder pair. */
export interface YamlConflict {
  /** The placeholder key standing where the conflict block goes. */
  readonly token: string;
  /** The key path, e.g. "resources.limits.memory". */
  readonly key: string;
  /** Ours' pair (its ranges point into ours' text), undefined where ours removed the key. */
  readonly ours: Pair | undefined;
  /** Theirs' pair (its ranges point into theirs' text), undefined where theirs removed it. */
  readonly theirs: Pair | undefined;
}

/** The conflicts found so far, and the prefix of their placeholder keys. */
export interface YamlMergeState {
  readonly tokenPrefix: string;
  readonly conflicts: YamlConflict[];
}

function jsValue(pair: Pair | undefined): unknown {
  if (pair === undefined) return undefined;
  return isNode(pair.value) ? pair.value.toJSON() : null;
}

function clone<T>(node: T): T {
  return isNode(node) ? (node.clone() as T) : node;
}

function pairsByKey(map: YAMLMap | undefined): Map<unknown, Pair> {
  const pairs = new Map<unknown, Pair>();
  for (const pair of map?.items ?? [])
    pairs.set(isScalar(pair.key) ? pair.key.value : pair.key, pair);
  return pairs;
}

/** Ours' sequence with the merged strings: ours' items where they exist, theirs' otherwise. */
function mergedSequence(ours: YAMLSeq, theirs: YAMLSeq, strings: readonly string[]): YAMLSeq {
  const pool = [...ours.items, ...theirs.items].filter(isScalar);
  ours.items = strings.map((text) => {
    const index = pool.findIndex((item) => item.value === text);
    return index < 0 ? new Scalar(text) : clone(pool.splice(index, 1)[0]);
  });
  return ours;
}

/** Merges two string sequences; undefined when they conflict. */
function mergeSequences(base: Pair | undefined, ours: Pair, theirs: Pair): Pair | undefined {
  const [baseValue, oursValue, theirsValue] = [base, ours, theirs].map(jsValue);
  if (!isSeq(ours.value) || !isSeq(theirs.value)) return undefined;
  if (!isStringArray(oursValue) || !isStringArray(theirsValue)) return undefined;
  const from = isStringArray(baseValue) ? baseValue : [];
  const strings = mergeStringArrays(from, oursValue, theirsValue);
  if (strings === undefined) return undefined;
  mergePairMeta(ours, base, ours, theirs);
  ours.value = mergedSequence(ours.value, theirs.value, strings);
  return ours;
}

/** Records a conflict and returns the placeholder pair that stands for it. */
function conflict(
  base: Pair | undefined,
  ours: Pair | undefined,
  theirs: Pair | undefined,
  path: readonly string[],
  state: YamlMergeState,
): Pair {
  const token = `${state.tokenPrefix}${state.conflicts.length}`;
  const placeholder = new Pair(new Scalar(token), new Scalar(null));
  const side = (ours ?? theirs) as Pair;
  mergeMeta(placeholder.key as Commented, base?.key ?? side.key, side.key, (theirs ?? side).key);
  state.conflicts.push({ token, key: path.join("."), ours, theirs });
  return placeholder;
}

/**
 * Merges a key whose value is a mapping on both sides. A block mapping is merged in place,
 * with its conflicts left inside it; a flow mapping (`{a: 1}`) cannot hold conflict blocks,
 * so it is merged on a copy and undefined is returned when that copy has conflicts.
 */
function mergeNestedMaps(
  base: Pair | undefined,
  ours: Pair,
  theirs: Pair,
  path: readonly string[],
  state: YamlMergeState,
): Pair | undefined {
  const [oursMap, theirsMap] = [ours.value, theirs.value] as [YAMLMap, YAMLMap];
  const baseMap = isMap(base?.value) ? base.value : undefined;
  const target = oursMap.flow ? (oursMap.clone() as YAMLMap) : oursMap;
  // An empty `{}` takes theirs' block layout when theirs fills it.
  if (target !== oursMap && oursMap.items.length === 0) target.flow = theirsMap.flow;
  const inner = target === oursMap ? state : { ...state, conflicts: [] };
  mergeYamlMaps(baseMap, target, theirsMap, path, inner);
  if (inner !== state && inner.conflicts.length > 0) return undefined;
  mergePairMeta(ours, base, ours, theirs);
  ours.value = target;
  return ours;
}

/**
 * Takes theirs' change to a key ours left as in base: adds it, removes it, or replaces ours'
 * value. Where ours edited comments that the change would drop (comments inside a removed or
 * replaced collection, or on a removed key), a string sequence is merged item by item to keep
 * them, and anything else is a conflict.
 */
function takeTheirs(
  base: Pair | undefined,
  ours: Pair | undefined,
  theirs: Pair | undefined,
  path: readonly string[],
  state: YamlMergeState,
): Pair | undefined {
  if (!ours) return clone(theirs);
  const edited = (node: (pair: Pair) => unknown) =>
    commentsIn(node(ours)) !== commentsIn(base && node(base));
  if (!theirs) {
    const touched = edited((pair) => pair.key) || edited((pair) => pair.value);
    return touched ? conflict(base, ours, theirs, path, state) : undefined;
  }
  if (isCollection(ours.value) && edited((pair) => pair.value)) {
    return mergeSequences(base, ours, theirs) ?? conflict(base, ours, theirs, path, state);
  }
  const original = { key: ours.key, value: ours.value };
  ours.value = clone(theirs.value);
  mergePairMeta(ours, base, original, theirs);
  return ours;
}

/** Merges one key; returns the pair to keep, or undefined when the merged key is absent. */
function mergePair(
  base: Pair | undefined,
  ours: Pair | undefined,
  theirs: Pair | undefined,
  path: readonly string[],
  state: YamlMergeState,
): Pair | undefined {
  if (ours && theirs && isMap(ours.value) && isMap(theirs.value)) {
    return (
      mergeNestedMaps(base, ours, theirs, path, state) ?? conflict(base, ours, theirs, path, state)
    );
  }
  const decision = decide(jsValue(base), jsValue(ours), jsValue(theirs));
  if (decision === "ours") {
    if (ours && theirs) mergePairMeta(ours, base, ours, theirs);
    return ours;
  }
  if (decision === "theirs") return takeTheirs(base, ours, theirs, path, state);
  const merged =
    decision === "merge-arrays" && ours && theirs && mergeSequences(base, ours, theirs);
  return merged || conflict(base, ours, theirs, path, state);
}

/**
 * Merges theirs' changes into ours' block mapping in place, key by key (see `decide`), and
 * takes theirs' comment changes where ours kept base's comment. Conflicting keys are replaced
 * by placeholder pairs recorded in `state`; new keys follow their predecessor in theirs.
 */
export function mergeYamlMaps(
  base: YAMLMap | undefined,
  ours: YAMLMap,
  theirs: YAMLMap,
  path: readonly string[],
  state: YamlMergeState,
): void {
  const [basePairs, oursPairs, theirsPairs] = [base, ours, theirs].map(pairsByKey) as [
    Map<unknown, Pair>,
    Map<unknown, Pair>,
    Map<unknown, Pair>,
  ];
  const merged = new Map<unknown, Pair>();
  for (const key of new Set([...oursPairs.keys(), ...theirsPairs.keys()])) {
    const [b, o, t] = [basePairs, oursPairs, theirsPairs].map((pairs) => pairs.get(key));
    const pair = mergePair(b, o, t, [...path, String(key)], state);
    if (pair) merged.set(key, pair);
  }
  const order = orderKeys([...oursPairs.keys()], [...theirsPairs.keys()], (key) => merged.has(key));
  ours.items = order.map((key) => merged.get(key) as Pair);
}
