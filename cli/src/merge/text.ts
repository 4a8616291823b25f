import { diff3Merge } from "node-diff3";
import { createOutput, finishMerge, mergeFinalNewline, splitLines, toLf } from "./lines.ts";
import type { MergeInput, MergeResult } from "./types.ts";

const IMPORT_LINE = /^import\s.*\sfrom\s+["'][^"']+["'];?$/;

/**
 * Whether both sides only added single-line import statements at the same place: a team's
 * import next to one the template added. Both are kept (ours first) instead of a conflict;
 * anything else inserted at one place, or any change to existing lines, still conflicts.
 */
function isImportInsertion(conflict: { a: string[]; o: string[]; b: string[] }): boolean {
  const imports = (lines: string[]) =>
    lines.length > 0 && lines.every((line) => IMPORT_LINE.test(line.trim()));
  return conflict.o.length === 0 && imports(conflict.a) && imports(conflict.b);
}

/**
 * Merges the three versions line by line (diff3). A change on one side only, or the same
 * change on both, merges cleanly; different changes to the same or adjacent lines become a
 * conflict between `<<<<<<< local`, `=======` and `>>>>>>> <theirsLabel>` marker lines.
 * The result keeps ours' line breaks (CRLF or LF) and its final line break.
 */
export function mergeText(input: MergeInput): MergeResult {
  const base = splitLines(toLf(input.base));
  const ours = splitLines(toLf(input.ours));
  const theirs = splitLines(toLf(input.theirs));
  const output = createOutput(input.theirsLabel);
  for (const region of diff3Merge(ours.lines, base.lines, theirs.lines)) {
    if (region.ok) output.lines.push(...region.ok);
    else if (region.conflict && isImportInsertion(region.conflict)) {
      const { a, b } = region.conflict;
      output.lines.push(...a, ...b.filter((line) => !a.includes(line)));
    } else if (region.conflict) output.conflict(region.conflict.a, region.conflict.b);
  }
  return finishMerge(input, "text", output, mergeFinalNewline(base, ours, theirs));
}
