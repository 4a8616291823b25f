import { describe, expect, it } from "vitest";
import { mergeText } from "./text.ts";

const lines = (...items: string[]) => `${items.join("\n")}\n`;
const base = lines("one", "two", "three", "four", "five", "six");

describe("mergeText", () => {
  it("when only the template changed a line, then takes it cleanly", () => {
    const theirs = lines("one", "two", "THREE", "four", "five", "six");
    const result = mergeText({ path: "README.md", base, ours: base, theirs });
    expect(result).toEqual({ content: theirs, conflicts: [], unchanged: false, strategy: "text" });
  });

  it("when only the service changed a line, then keeps ours and reports unchanged", () => {
    const ours = lines("one", "TWO", "three", "four", "five", "six");
    const result = mergeText({ path: "README.md", base, ours, theirs: base });
    expect(result.content).toBe(ours);
    expect(result.unchanged).toBe(true);
  });

  it("when both sides edited lines apart from each other, then keeps both edits", () => {
    const ours = lines("ONE", "two", "three", "four", "five", "six");
    const theirs = lines("one", "two", "three", "four", "five", "SIX");
    const result = mergeText({ path: "a.txt", base, ours, theirs });
    expect(result.content).toBe(lines("ONE", "two", "three", "four", "five", "SIX"));
    expect(result.conflicts).toEqual([]);
  });

  it("when both sides made the same edit, then merges cleanly", () => {
    const edited = lines("one", "two", "3", "four", "five", "six");
    const result = mergeText({ path: "a.txt", base, ours: edited, theirs: edited });
    expect(result.content).toBe(edited);
    expect(result.conflicts).toEqual([]);
    expect(result.unchanged).toBe(true);
  });

  it("when both sides edited the same line differently, then writes git-style markers", () => {
    const ours = lines("one", "two", "three (local)", "four", "five", "six");
    const theirs = lines("one", "two", "three (template)", "four", "five", "six");
    const result = mergeText({ path: "a.txt", base, ours, theirs });
    expect(result.content).toBe(
      lines(
        "one",
        "two",
        "<<<<<<< local",
        "three (local)",
        "=======",
        "three (template)",
        ">>>>>>> template",
        "four",
        "five",
        "six",
      ),
    );
    expect(result.conflicts).toEqual([{ startLine: 3, endLine: 7 }]);
    expect(result.unchanged).toBe(false);
  });

  it("when a label is given, then the closing marker names it", () => {
    const ours = lines("one", "2", "three", "four", "five", "6");
    const theirs = lines("one", "deux", "three", "four", "five", "six!");
    const result = mergeText({ path: "a.txt", base, ours, theirs, theirsLabel: "template 0.0.3" });
    const content = result.content.split("\n");
    expect(result.conflicts).toEqual([
      { startLine: 2, endLine: 6 },
      { startLine: 10, endLine: 14 },
    ]);
    for (const { startLine, endLine } of result.conflicts) {
      expect(content[startLine - 1]).toBe("<<<<<<< local");
      expect(content[endLine - 1]).toBe(">>>>>>> template 0.0.3");
    }
  });

  it("when the template deleted lines the service left alone, then they are removed", () => {
    const ours = lines("one", "two", "three", "four", "five", "six (local)");
    const theirs = lines("one", "four", "five", "six");
    const result = mergeText({ path: "a.txt", base, ours, theirs });
    expect(result.content).toBe(lines("one", "four", "five", "six (local)"));
    expect(result.conflicts).toEqual([]);
  });

  it("when the service deleted lines the template left alone, then they stay deleted", () => {
    const ours = lines("one", "five", "six");
    const theirs = lines("one", "two", "three", "four", "five", "SIX");
    const result = mergeText({ path: "a.txt", base, ours, theirs });
    expect(result.content).toBe(lines("one", "five", "SIX"));
  });

  it("when the template deleted a line the service edited, then it is a conflict", () => {
    const ours = lines("one", "two", "three, edited", "four", "five", "six");
    const theirs = lines("one", "two", "four", "five", "six");
    const result = mergeText({ path: "a.txt", base, ours, theirs });
    expect(result.content).toContain("<<<<<<< local\nthree, edited\n=======\n>>>>>>> template\n");
    expect(result.conflicts).toEqual([{ startLine: 3, endLine: 6 }]);
  });

  it("when ours uses CRLF, then the result and its markers use CRLF", () => {
    const ours = base.replaceAll("\n", "\r\n").replace("one", "ONE").replace("four", "4");
    const theirs = base.replace("six", "SIX").replace("four", "FOUR");
    const result = mergeText({ path: "a.bat", base, ours, theirs });
    expect(result.content).toBe(
      "ONE\r\ntwo\r\nthree\r\n<<<<<<< local\r\n4\r\n=======\r\nFOUR\r\n>>>>>>> template\r\n" +
        "five\r\nSIX\r\n",
    );
    expect(result.conflicts).toEqual([{ startLine: 4, endLine: 8 }]);
  });

  it("when ours has no final newline, then the result has none either", () => {
    const ours = "one\ntwo (local)\nthree";
    const result = mergeText({
      path: "a.txt",
      base: "one\ntwo\nthree\n",
      ours,
      theirs: "0\none\ntwo\nthree\n",
    });
    expect(result.content).toBe("0\none\ntwo (local)\nthree");
  });

  it("when only the template added a final newline, then the result has it", () => {
    const result = mergeText({ path: "a.txt", base: "a\nb", ours: "A\nb", theirs: "a\nb\n" });
    expect(result.content).toBe("A\nb\n");
  });

  it("when theirs is merged again into the result with theirs as base, then nothing changes", () => {
    const ours = lines("one", "two (local)", "three", "four", "five", "six");
    const theirs = lines("one", "two", "three", "four", "five", "six", "seven");
    const first = mergeText({ path: "a.txt", base, ours, theirs });
    const again = mergeText({ path: "a.txt", base: theirs, ours: first.content, theirs });
    expect(again.unchanged).toBe(true);
    expect(again.content).toBe(first.content);
  });
});

describe("mergeText import insertions", () => {
  it("when both sides add imports at the same place then both are kept, ours first", () => {
    const base = 'import { a } from "./a.ts";\nimport { z } from "./z.ts";\n';
    const ours =
      'import { a } from "./a.ts";\nimport { orders } from "./orders.ts";\nimport { z } from "./z.ts";\n';
    const theirs =
      'import { a } from "./a.ts";\nimport { routes } from "./routes.ts";\nimport { z } from "./z.ts";\n';
    const result = mergeText({ path: "src/service.ts", base, ours, theirs });
    expect(result.conflicts).toEqual([]);
    expect(result.content).toBe(
      'import { a } from "./a.ts";\nimport { orders } from "./orders.ts";\nimport { routes } from "./routes.ts";\nimport { z } from "./z.ts";\n',
    );
  });

  it("when one side's insertion is not only imports then it is still a conflict", () => {
    const base = 'import { a } from "./a.ts";\n';
    const ours = 'import { a } from "./a.ts";\nconst x = 1;\n';
    const theirs = 'import { a } from "./a.ts";\nimport { b } from "./b.ts";\n';
    expect(mergeText({ path: "f.ts", base, ours, theirs }).conflicts).toHaveLength(1);
  });
});
