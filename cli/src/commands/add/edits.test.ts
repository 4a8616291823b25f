import { describe, expect, it } from "vitest";
import { appendTableRow, nextNumber, tableCell } from "./edits.ts";
import { compareModules, compareNatural, insertImport, organizeImports } from "./imports.ts";

describe("Biome's import order", () => {
  it("when relative modules are sorted then the order is the one Biome's organizeImports gives", () => {
    // The order `biome check --write` left these in.
    const biome = [
      "node:fs/promises",
      "node:path",
      "@connectrpc/connect",
      "@scope/pkg",
      "vitest",
      "zod",
      "../../gen/x/v1/a_pb.ts",
      "../platform/auth/index.ts",
      "./a/x.ts",
      "./a/x-b.ts",
      "./a/x2.ts",
      "./a.ts",
      "./a-9/x.ts",
      "./a-10/x.ts",
      "./a-b.ts",
      "./a2/x.ts",
      "./ab/x.ts",
      "./orders/orders-http-handler.ts",
      "./orders/orders-service.ts",
      "./orders_x/a.ts",
      "./orders-v2/orders-v2-client.ts",
      "./orders2/a.ts",
      "./Zeta/x.ts",
    ];
    const shuffled = [...biome].reverse();
    expect(shuffled.sort(compareModules)).toEqual(biome);
  });

  it("when names are sorted then upper case comes first only where letters differ in case", () => {
    const biome = [
      "A_b",
      "Ab",
      "AccountsService",
      "a9",
      "a10",
      "aB",
      "ab",
      "createAccounts",
      "Zed",
      "zed",
    ];
    expect([...biome].reverse().sort(compareNatural)).toEqual(biome);
  });

  it("when a block of imports is organized then statements and names are sorted and long ones broken", () => {
    const block = [
      'import { z } from "./z.ts";',
      'import { zeta, type Alpha } from "vitest";',
      `import { createVeryLongNameForTheLineWidth, type VeryLongNameForTheLineWidthService } from "./very-long-name/very-long-name-service.ts";`,
      'import type { Router } from "express";',
    ].join("\n");
    expect(organizeImports(block)).toBe(
      [
        'import type { Router } from "express";',
        'import { type Alpha, zeta } from "vitest";',
        "import {",
        "  createVeryLongNameForTheLineWidth,",
        "  type VeryLongNameForTheLineWidthService,",
        '} from "./very-long-name/very-long-name-service.ts";',
        'import { z } from "./z.ts";',
        "",
      ].join("\n"),
    );
  });
});

describe("insertImport", () => {
  const source = [
    'import type { Router } from "express";',
    "import {",
    "  type A,",
    "  b,",
    '} from "../platform/x.ts";',
    'import { mountBRoutes } from "./b/b-http-handler.ts";',
    'import { mountDRoutes } from "./d/d-http-handler.ts";',
    "",
    "export const x = 1;",
    "",
  ].join("\n");

  it("when the module sorts between two imports then it goes between them", () => {
    const result = insertImport(source, 'import { mountCRoutes } from "./c/c-http-handler.ts";');
    expect(result.split("\n").slice(5, 8)).toEqual([
      'import { mountBRoutes } from "./b/b-http-handler.ts";',
      'import { mountCRoutes } from "./c/c-http-handler.ts";',
      'import { mountDRoutes } from "./d/d-http-handler.ts";',
    ]);
  });

  it("when the module sorts first among the relative ones then it follows the ../ imports", () => {
    const result = insertImport(source, 'import { mountARoutes } from "./a/a-http-handler.ts";');
    expect(result.split("\n")[5]).toBe('import { mountARoutes } from "./a/a-http-handler.ts";');
    expect(result.split("\n")[4]).toBe('} from "../platform/x.ts";');
  });

  it("when the module sorts last then it goes after every import, before the code", () => {
    const result = insertImport(source, 'import { mountZRoutes } from "./z/z-http-handler.ts";');
    expect(result.split("\n").slice(7, 9)).toEqual([
      'import { mountZRoutes } from "./z/z-http-handler.ts";',
      "",
    ]);
  });

  it("when the module is imported already then the source is unchanged", () => {
    expect(insertImport(source, 'import { mountBRoutes } from "./b/b-http-handler.ts";')).toBe(
      source,
    );
  });
});

describe("appendTableRow", () => {
  const header = "| ADR | title | status |\n|---|---|---|";

  it("when the table is compact then the row is appended after its last row", () => {
    const source = `# ADRs\n\n${header}\n| [0001](0001-a.md) | A | Accepted |\n\nMore text.\n`;
    const result = appendTableRow(source, "| [0002](0002-b.md) | B | Proposed |", header);
    expect(result).toBe(
      `# ADRs\n\n${header}\n| [0001](0001-a.md) | A | Accepted |\n| [0002](0002-b.md) | B | Proposed |\n\nMore text.\n`,
    );
  });

  it("when the table is padded then every row is padded again to fit the new one", () => {
    const source = [
      "| ADR | title | status   |",
      "| --- | ----- | -------- |",
      "| 1   | A     | Accepted |",
      "",
    ].join("\n");
    expect(appendTableRow(source, `| 2 | ${tableCell("A | B")} | Proposed |`, header)).toBe(
      [
        "| ADR | title  | status   |",
        "| --- | ------ | -------- |",
        "| 1   | A      | Accepted |",
        "| 2   | A \\| B | Proposed |",
        "",
      ].join("\n"),
    );
  });

  it("when there is no table then one is appended with the header and the row", () => {
    expect(appendTableRow("# ADRs", "| 1 | A | Proposed |", header)).toBe(
      `# ADRs\n\n${header}\n| 1 | A | Proposed |\n`,
    );
  });
});

describe("nextNumber", () => {
  it("when numbered files exist then the next number follows the largest, zero-padded", () => {
    const files = ["0001_create_items.up.sql", "0003_add_tags.up.sql", "README.md"];
    expect(nextNumber(files, /^(\d+)_/)).toBe("0004");
  });

  it("when nothing is numbered yet then it starts at 0001", () => {
    expect(nextNumber(["README.md"], /^(\d+)-.*\.md$/)).toBe("0001");
  });

  it("when the numbers are wider than four digits then the width is kept", () => {
    expect(nextNumber(["20300101_init.up.sql"], /^(\d+)_/)).toBe("20300102");
  });
});
