import { isNode, type Pair, visit } from "yaml";

/** What carries comments and blank lines: a node, or the document itself. */
export interface Commented {
  commentBefore?: string | null | undefined;
  comment?: string | null | undefined;
  spaceBefore?: boolean | undefined;
}

const META = ["commentBefore", "comment", "spaceBefore"] as const;

function norm(value: string | boolean | null | undefined): string | boolean | undefined {
  return value === null || value === "" || value === false ? undefined : value;
}

/**
 * Sets the comments and blank line of `target` three ways: theirs' where ours kept base's,
 * ours' otherwise (also when the two changed a comment differently: a comment never conflicts).
 */
export function mergeMeta(target: Commented, base: unknown, ours: unknown, theirs: unknown): void {
  if (!isCommented(base) || !isCommented(ours) || !isCommented(theirs)) return;
  for (const field of META) {
    const from = norm(ours[field]) === norm(base[field]) ? theirs : ours;
    (target as Record<string, unknown>)[field] = from[field];
  }
}

function isCommented(value: unknown): value is Commented {
  return typeof value === "object" && value !== null;
}

/** A pair's key and value, as they were before the merge changed the pair. */
export interface PairLike {
  readonly key: unknown;
  readonly value: unknown;
}

/** Takes theirs' comment changes into a kept pair, on its key and on its value. */
export function mergePairMeta(
  target: Pair,
  base: Pair | undefined,
  ours: PairLike,
  theirs: Pair,
): void {
  mergeMeta(target.key as Commented, base?.key, ours.key, theirs.key);
  if (isNode(target.value)) mergeMeta(target.value, base?.value, ours.value, theirs.value);
}

/** The comments and blank lines of a node and of everything in it, as one comparable string. */
export function commentsIn(node: unknown): string {
  const found: unknown[] = [];
  if (isNode(node)) {
    visit(node, {
      Node: (_, inner) => {
        found.push(norm(inner.commentBefore), norm(inner.comment), norm(inner.spaceBefore));
      },
    });
  }
  return JSON.stringify(found);
}
