import { isDeepStrictEqual } from "node:util";
import { writeJson } from "./json-render.ts";
import { isClean, type JsonTree, mergeJsonValues, treeValue } from "./json-tree.ts";
import { createOutput, finishMerge, takeTheirsIfUntouched, toLf } from "./lines.ts";
import { mergeText } from "./text.ts";
import type { MergeInput, MergeResult } from "./types.ts";

const UNPARSABLE = Symbol("unparsable");

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return UNPARSABLE;
  }
}

/** The indent of ours: its first indented line's leading tab or spaces, else two spaces. */
function detectIndent(text: string): string {
  return /^([ \t]+)\S/m.exec(text)?.[1] ?? "  ";
}

/**
 * Merges JSON (package.json and other `*.json`) key by key, three ways. A key added, removed
 * or changed on one side only takes that side; changed differently on both sides is a
 * conflict, written as the local and the template lines of that key between git-style markers
 * (the file is then invalid JSON until resolved). Objects merge recursively; arrays of strings
 * merge element by element (see `mergeStringArrays`); other arrays and values merge whole.
 * Ours' key order is kept and theirs' new keys follow their predecessor in theirs. The output
 * is `JSON.stringify(merged, null, indent)` with ours' indent and a final newline; when nothing
 * changes ours is returned as it is. An empty base counts as absent (both sides added the
 * file). If any version does not parse, the file is merged as text.
 */
export function mergeJson(input: MergeInput): MergeResult {
  const base = input.base.trim() === "" ? undefined : parse(input.base);
  const ours = parse(input.ours);
  const theirs = parse(input.theirs);
  if (base === UNPARSABLE || ours === UNPARSABLE || theirs === UNPARSABLE) {
    return mergeText(input);
  }
  const untouched = takeTheirsIfUntouched(input, "json");
  if (untouched) return untouched;
  const tree = mergeJsonValues(base, ours, theirs, []) as JsonTree;
  if (isClean(tree) && isDeepStrictEqual(treeValue(tree), ours)) {
    return { content: input.ours, conflicts: [], unchanged: true, strategy: "json" };
  }
  const output = createOutput(input.theirsLabel);
  writeJson(output, tree, detectIndent(toLf(input.ours)));
  return finishMerge(input, "json", output, true);
}
