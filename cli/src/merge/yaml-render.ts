import { isDeepStrictEqual } from "node:util";
import { diff3Merge } from "node-diff3";
import {
  type Document,
  isNode,
  type Node,
  type Pair,
  parseDocument,
  type ToStringOptions,
} from "yaml";
import { createOutput, type OutputBuilder, splitLines } from "./lines.ts";
import type { YamlConflict } from "./yaml-map.ts";

/** The layouts tried when rendering: the one closest to ours' own text wins. */
const LAYOUTS: readonly ToStringOptions[] = [2, 4].flatMap((indent) =>
  [true, false].flatMap((indentSeq) =>
    [false, true].map((flowCollectionPadding) => ({
      indent,
      indentSeq,
      flowCollectionPadding,
      lineWidth: 0,
    })),
  ),
);

function pickLayout(oursText: string, ours: Document): ToStringOptions {
  const known = new Set(splitLines(oursText).lines);
  const strangers = (layout: ToStringOptions) =>
    splitLines(ours.toString(layout)).lines.filter((line) => !known.has(line)).length;
  const scored = LAYOUTS.map((layout) => ({ layout, score: strangers(layout) }));
  return scored.reduce((best, next) => (next.score < best.score ? next : best)).layout;
}

/**
 * The merged document as lines of ours' own text: the difference between ours re-rendered
 * and the merged document rendered the same way is applied to ours' text, so that lines the
 * merge did not touch keep ours' exact formatting (quotes, number spelling, flow spacing).
 * Where that patch does not give back the merged data, the plain render is used instead.
 */
export function renderOntoOurs(oursText: string, ours: Document, merged: Document): string[] {
  const layout = pickLayout(oursText, ours);
  const render = splitLines(merged.toString(layout)).lines;
  const regions = diff3Merge(
    splitLines(oursText).lines,
    splitLines(ours.toString(layout)).lines,
    render,
  );
  const patched = regions.flatMap((region) => region.ok ?? region.conflict?.b ?? []);
  const reparsed = parseDocument(patched.join("\n"));
  const same = reparsed.errors.length === 0 && isDeepStrictEqual(reparsed.toJS(), merged.toJS());
  return same ? patched : render;
}

function reindent(line: string, shift: number): string {
  if (line === "" || shift === 0) return line;
  if (shift > 0) return " ".repeat(shift) + line;
  const leading = line.length - line.trimStart().length;
  return line.slice(Math.min(-shift, leading));
}

/** A pair's lines in its own file, from its key to the end of its value, at a new indent. */
function sourceLines(text: string, pair: Pair | undefined, indent: number): string[] {
  const keyRange = (pair?.key as Node | undefined)?.range;
  if (!pair || !keyRange) return [];
  const start = keyRange[0];
  let end = (isNode(pair.value) ? pair.value.range?.[2] : undefined) ?? keyRange[2];
  while (end > start && /\s/.test(text.charAt(end - 1))) end -= 1;
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const shift = indent - (start - lineStart);
  return text
    .slice(lineStart, end)
    .split("\n")
    .map((line) => reindent(line, shift));
}

/**
 * Replaces each conflict's placeholder line with a conflict block holding ours' and theirs'
 * own lines for that key. Undefined when a placeholder is not on a line of its own.
 */
export function writeConflicts(
  lines: readonly string[],
  conflicts: readonly YamlConflict[],
  texts: { readonly ours: string; readonly theirs: string },
  theirsLabel: string | undefined,
): OutputBuilder | undefined {
  const byToken = new Map(conflicts.map((conflict) => [conflict.token, conflict]));
  const output = createOutput(theirsLabel);
  for (const line of lines) {
    const match = /^( *)(\S+): null$/.exec(line);
    const conflict = match ? byToken.get(match[2] as string) : undefined;
    if (!match || !conflict) {
      output.lines.push(line);
      continue;
    }
    const indent = (match[1] as string).length;
    const ours = sourceLines(texts.ours, conflict.ours, indent);
    output.conflict(ours, sourceLines(texts.theirs, conflict.theirs, indent), conflict.key);
  }
  return output.conflicts.length === conflicts.length ? output : undefined;
}
