import type { JsonConflict, JsonTree } from "./json-tree.ts";
import type { OutputBuilder } from "./lines.ts";

/** Where an entry stands in its object: whether a comma follows it, and what precedes it. */
interface Place {
  readonly depth: number;
  /** "," between entries, "" after the last one. */
  readonly comma: string;
  /** Whether this is the last entry and the line before it ends a plain (non-conflict) entry. */
  readonly lastAfterPlain: boolean;
}

interface JsonWriter {
  readonly output: OutputBuilder;
  readonly indent: string;
}

/** The lines of `"key": value` (or of a bare value) at a depth, with an optional comma. */
function valueLines(
  writer: JsonWriter,
  key: string | undefined,
  value: unknown,
  depth: number,
  comma: string,
): string[] {
  const pad = writer.indent.repeat(depth);
  const label = key === undefined ? "" : `${JSON.stringify(key)}: `;
  const lines = JSON.stringify(value, null, writer.indent).split("\n");
  return lines.map((line, index) => {
    const prefix = index === 0 ? pad + label : pad;
    return prefix + line + (index === lines.length - 1 ? comma : "");
  });
}

/**
 * Writes a conflicting key. When it is an object's last key and one side removed it, the
 * comma of the line before belongs to the choice, so that line moves into the block: with
 * its comma on the side that has the key, without it on the side that does not.
 */
function writeConflict(
  writer: JsonWriter,
  key: string | undefined,
  tree: JsonConflict,
  place: Place,
) {
  const { output } = writer;
  const removed = tree.ours === undefined || tree.theirs === undefined;
  const previous = place.lastAfterPlain && removed ? output.lines.pop() : undefined;
  const side = (value: unknown): string[] => {
    const lines =
      value === undefined ? [] : valueLines(writer, key, value, place.depth, place.comma);
    if (previous === undefined) return lines;
    return [value === undefined ? previous.slice(0, -1) : previous, ...lines];
  };
  output.conflict(side(tree.ours), side(tree.theirs), tree.key);
}

function writeTree(writer: JsonWriter, key: string | undefined, tree: JsonTree, place: Place) {
  const { output } = writer;
  const { depth, comma } = place;
  if (tree.kind === "conflict") {
    writeConflict(writer, key, tree, place);
  } else if (tree.kind === "value" || tree.entries.length === 0) {
    const value = tree.kind === "value" ? tree.value : {};
    output.lines.push(...valueLines(writer, key, value, depth, comma));
  } else {
    const pad = writer.indent.repeat(depth);
    output.lines.push(`${pad}${key === undefined ? "" : `${JSON.stringify(key)}: `}{`);
    tree.entries.forEach(([name, value], index) => {
      const last = index === tree.entries.length - 1;
      const lastAfterPlain = last && index > 0 && tree.entries[index - 1]?.[1].kind !== "conflict";
      writeTree(writer, name, value, { depth: depth + 1, comma: last ? "" : ",", lastAfterPlain });
    });
    output.lines.push(`${pad}}${comma}`);
  }
}

/**
 * Writes a merged JSON document into `output`: exactly `JSON.stringify(value, null, indent)`
 * where it is clean, with each conflicting key's local and template lines between
 * git-style markers where it is not.
 */
export function writeJson(output: OutputBuilder, tree: JsonTree, indent: string): void {
  writeTree({ output, indent }, undefined, tree, { depth: 0, comma: "", lastAfterPlain: false });
}
