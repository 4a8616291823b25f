import type { MergeConflict, MergeInput, MergeResult, MergeStrategy } from "./types.ts";

/** A file's text as lines without their line breaks, and whether its last line ends with one. */
export interface SplitText {
  readonly lines: string[];
  readonly finalNewline: boolean;
}

/** The line break ours uses: CRLF when most of its line breaks are CRLF, else LF. */
export function detectEol(text: string): "\r\n" | "\n" {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > 0 && crlf >= lf ? "\r\n" : "\n";
}

/** The text with every CRLF turned into LF, so the three versions compare line by line. */
export function toLf(text: string): string {
  return text.replaceAll("\r\n", "\n");
}

/** Splits LF text into lines; the empty text has no lines. */
export function splitLines(text: string): SplitText {
  if (text === "") return { lines: [], finalNewline: false };
  const finalNewline = text.endsWith("\n");
  return { lines: (finalNewline ? text.slice(0, -1) : text).split("\n"), finalNewline };
}

/** Whether the merged file ends with a line break: ours' choice, unless only theirs changed it. */
export function mergeFinalNewline(base: SplitText, ours: SplitText, theirs: SplitText): boolean {
  if (ours.lines.length === 0) return theirs.finalNewline;
  return ours.finalNewline === base.finalNewline ? theirs.finalNewline : ours.finalNewline;
}

/** The marker line that opens a conflict; what follows it is the local side. */
const OURS_MARKER = "<<<<<<< local";
/** The marker line between the local and the template side of a conflict. */
const SEPARATOR_MARKER = "=======";

/** The marker line that closes a conflict, naming the template side. */
function theirsMarker(label: string | undefined): string {
  return `>>>>>>> ${label ?? "template"}`;
}

/** Collects output lines and the conflicts written among them, with their line numbers. */
export interface OutputBuilder {
  readonly lines: string[];
  readonly conflicts: MergeConflict[];
  /** Appends a conflict block: ours' lines and theirs' lines between git-style markers. */
  conflict(ours: readonly string[], theirs: readonly string[], key?: string): void;
}

/** An empty output whose conflict markers name theirs with the given label. */
export function createOutput(theirsLabel: string | undefined): OutputBuilder {
  const lines: string[] = [];
  const conflicts: MergeConflict[] = [];
  return {
    lines,
    conflicts,
    conflict(ours, theirs, key) {
      const startLine = lines.length + 1;
      lines.push(OURS_MARKER, ...ours, SEPARATOR_MARKER, ...theirs, theirsMarker(theirsLabel));
      const endLine = lines.length;
      conflicts.push(key === undefined ? { startLine, endLine } : { startLine, endLine, key });
    },
  };
}

/** The line break of the merged file: ours', or theirs' when ours has no line break at all. */
function outputEol(input: MergeInput): "\r\n" | "\n" {
  return detectEol(input.ours.includes("\n") ? input.ours : input.theirs);
}

/** Joins merged LF lines with ours' line break into the result of a merge. */
export function finishMerge(
  input: MergeInput,
  strategy: MergeStrategy,
  output: Pick<OutputBuilder, "lines" | "conflicts">,
  finalNewline: boolean,
): MergeResult {
  const eol = outputEol(input);
  const body = output.lines.join(eol);
  const content = finalNewline && output.lines.length > 0 ? body + eol : body;
  return { content, conflicts: output.conflicts, unchanged: content === input.ours, strategy };
}

/**
 * Theirs as it is (with ours' line breaks) when ours has no local edit, the result of any
 * merge then; undefined otherwise. Spares key-aware merges a needless re-render.
 */
export function takeTheirsIfUntouched(
  input: MergeInput,
  strategy: MergeStrategy,
): MergeResult | undefined {
  if (toLf(input.ours) !== toLf(input.base)) return undefined;
  const theirs = toLf(input.theirs);
  const content = outputEol(input) === "\n" ? theirs : theirs.replaceAll("\n", "\r\n");
  return { content, conflicts: [], unchanged: content === input.ours, strategy };
}
