import { describe, expect, it } from "vitest";
import { alignMarkdownTables } from "./markdown.ts";

describe("alignMarkdownTables", () => {
  it("when a substitution shortened a cell then every column is padded to its widest cell again", () => {
    const table = [
      "| key    | default      |",
      "| ------ | ------------ |",
      "| `NAME` | `svc-a` |",
      "| `PORT` | `8080`       |",
    ].join("\n");
    expect(alignMarkdownTables(table)).toBe(
      [
        "| key    | default |",
        "| ------ | ------- |",
        "| `NAME` | `svc-a` |",
        "| `PORT` | `8080`  |",
      ].join("\n"),
    );
  });

  it("when rows were dropped then the rest are laid out as one table, at least 3 wide, by characters", () => {
    const table = ["| a | b |", "| - | - |", "| x | 5 s × 2 — ≈ |", "| yy | z |"].join("\n");
    expect(alignMarkdownTables(table)).toBe(
      [
        "| a   | b           |",
        "| --- | ----------- |",
        "| x   | 5 s × 2 — ≈ |",
        "| yy  | z           |",
      ].join("\n"),
    );
  });

  it("when pipes are in fenced code, in a paragraph or in a table with alignment colons then they are left alone", () => {
    const text = [
      "```md",
      "| a | b |",
      "| - | - |",
      "```",
      "text",
      "| not | a table |",
      "",
      "| a | b |",
      "| :- | -: |",
      "| x | y |",
    ].join("\n");
    expect(alignMarkdownTables(text)).toBe(text);
  });

  it("when a table is already laid out then it is unchanged", () => {
    const table = "| a   | b   |\n| --- | --- |\n| 1   | 2   |\n\nafter\n";
    expect(alignMarkdownTables(table)).toBe(table);
  });
});
