/** A table row: a line starting and ending with a pipe. */
const isRow = (line: string | undefined): line is string => {
  const text = line ?? "";
  return text.length > 1 && text.startsWith("|") && text.trimEnd().endsWith("|");
};

const cellsOf = (row: string): string[] =>
  row
    .trimEnd()
    .slice(1, -1)
    .split("|")
    .map((cell) => cell.trim());

/** The delimiter row under a table's header: dashes only (alignment colons are left alone). */
const isDelimiter = (line: string | undefined): boolean =>
  isRow(line) && cellsOf(line).every((cell) => /^-+$/.test(cell));

const widthOf = (cell: string): number => [...cell].length;

/**
 * Lays out the pipe tables of a Markdown file as the formatter does: every
 * column padded to its widest cell (at least 3), the delimiter row all
 * dashes. Rendering changes cell widths (name substitutions) and drops rows
 * (marked blocks), and a stamped service's lint checks the layout. Tables
 * inside fenced code, indented tables and tables with alignment colons are
 * left as they are.
 */
export function alignMarkdownTables(text: string): string {
  const lines = text.split("\n");
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const opening = /^(```|~~~)/.exec(line)?.[1];
    if (opening !== undefined) {
      if (fence === undefined) fence = opening;
      else if (line.startsWith(fence)) fence = undefined;
      continue;
    }
    if (fence !== undefined || !isRow(line) || !isDelimiter(lines[i + 1])) continue;
    let end = i + 2;
    while (isRow(lines[end])) end++;
    const rows = lines.slice(i, end).map(cellsOf);
    const columns = rows[0]?.length ?? 0;
    if (rows.some((row) => row.length !== columns)) {
      i = end - 1;
      continue;
    }
    const widths = Array.from({ length: columns }, (_, column) =>
      Math.max(
        3,
        ...rows.filter((_, index) => index !== 1).map((row) => widthOf(row[column] ?? "")),
      ),
    );
    const laidOut = rows.map((row, index) =>
      index === 1
        ? `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`
        : `| ${row.map((cell, column) => cell + " ".repeat((widths[column] ?? 0) - widthOf(cell))).join(" | ")} |`,
    );
    lines.splice(i, end - i, ...laidOut);
    i = end - 1;
  }
  return lines.join("\n");
}
