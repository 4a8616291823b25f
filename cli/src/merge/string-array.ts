import { diff3Merge } from "node-diff3";

function hasDuplicates(items: readonly string[]): boolean {
  return new Set(items).size !== items.length;
}

/**
 * Resolves one stretch both sides changed as sets: ours' strings less those theirs removed
 * from base, then theirs' new strings. Undefined when both sides removed and both added there
 * (a replacement on both sides), which stays a conflict.
 */
function resolveAsSet(ours: string[], base: string[], theirs: string[]): string[] | undefined {
  const removedByOurs = base.some((item) => !ours.includes(item));
  const removedByTheirs = base.some((item) => !theirs.includes(item));
  const addedByOurs = ours.some((item) => !base.includes(item));
  const addedByTheirs = theirs.some((item) => !base.includes(item));
  if (removedByOurs && removedByTheirs && addedByOurs && addedByTheirs) return undefined;
  const kept = ours.filter((item) => !base.includes(item) || theirs.includes(item));
  const added = theirs.filter((item) => !base.includes(item) && !ours.includes(item));
  return [...kept, ...added];
}

/**
 * Merges three versions of an array of strings (`files`, `workspaces`, `branches`) element by
 * element, in order (diff3). Where both sides changed the same stretch, and no version holds
 * a string twice, the stretch is merged as a set: ours' strings stay in ours' order, strings
 * theirs removed are dropped, strings theirs added follow. Returns undefined for a conflict.
 */
export function mergeStringArrays(
  base: readonly string[],
  ours: readonly string[],
  theirs: readonly string[],
): string[] | undefined {
  const asSets = ![base, ours, theirs].some(hasDuplicates);
  const merged: string[] = [];
  for (const region of diff3Merge([...ours], [...base], [...theirs])) {
    if (region.ok) {
      merged.push(...region.ok);
      continue;
    }
    const { a, o, b } = region.conflict ?? { a: [], o: [], b: [] };
    const resolved = asSets ? resolveAsSet(a, o, b) : undefined;
    if (resolved === undefined) return undefined;
    merged.push(...resolved);
  }
  return merged;
}
