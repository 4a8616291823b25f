/**
 * Text edits of the service's own files: inserting a line above a `lumi add`
 * anchor, a row into a Markdown table, the next number of a series. Pure
 * functions, so plop's `modify` actions and the dry run apply the same edit.
 */

/** The registration points `lumi add` writes into, and the anchor line in each. */
export const ANCHORS = {
  route: { file: "src/app/routes.ts", pattern: /^[ \t]*\/\/ lumi add route:.*$/m },
  rpc: { file: "src/app/rpc-services.ts", pattern: /^[ \t]*\/\/ lumi add rpc:.*$/m },
  dependency: {
    file: "src/app/dependencies.ts",
    pattern: /^[ \t]*\/\/ lumi add dependency:.*$/m,
  },
} as const;

/** One of {@link ANCHORS}. */
export type AnchorName = keyof typeof ANCHORS;

/** Escapes a Markdown table cell. */
export const tableCell = (text: string): string => text.replaceAll("|", "\\|");

/** The cells of a Markdown table row (`\|` stays inside its cell). */
function cellsOf(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** Renders table rows with every column padded to its widest cell, as Markdown formatters do. */
function alignTable(rows: readonly string[][], separator: number): string[] {
  const widths: number[] = [];
  rows.forEach((cells, index) => {
    if (index === separator) return;
    cells.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 3, cell.length);
    });
  });
  return rows.map((cells, index) =>
    index === separator
      ? `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`
      : `| ${widths.map((width, column) => (cells[column] ?? "").padEnd(width)).join(" | ")} |`,
  );
}

/**
 * Appends a row to the first Markdown table of `source` (after its last row);
 * a table written with padded columns is re-padded to fit the row. With no
 * table, appends one with `header` and the row.
 */
export function appendTableRow(source: string, row: string, header: string): string {
  const lines = source.split("\n");
  const separator = lines.findIndex((line) => /^\|\s*:?-+/.test(line));
  if (separator === -1) {
    const body = source === "" || source.endsWith("\n") ? source : `${source}\n`;
    return `${body}${body === "" ? "" : "\n"}${header}\n${row}\n`;
  }
  const start = Math.max(0, separator - 1);
  let end = separator;
  while (lines[end + 1]?.startsWith("|")) end++;
  const table = lines.slice(start, end + 1);
  const aligned = /^\| -+ \|/.test(lines[separator] ?? "");
  const rows = [...table, row];
  const rendered = aligned ? alignTable(rows.map(cellsOf), separator - start) : rows;
  lines.splice(start, table.length, ...rendered);
  return lines.join("\n");
}

/** The next number after the largest `(\d+)` prefix `pattern` finds in `names`, zero-padded. */
export function nextNumber(names: readonly string[], pattern: RegExp, width = 4): string {
  let largest = 0;
  let digits = width;
  for (const name of names) {
    const match = pattern.exec(name);
    if (match?.[1] === undefined) continue;
    largest = Math.max(largest, Number(match[1]));
    digits = Math.max(digits, match[1].length);
  }
  return String(largest + 1).padStart(digits, "0");
}
