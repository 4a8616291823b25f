import { describe, expect, it } from "vitest";
import { mergeFile } from "./index.ts";

const cases = [
  [
    "package.json",
    "json",
    '{\n  "a": 1\n}\n',
    '{\n  "a": 1,\n  "b": 2\n}\n',
    '{\n  "c": 3,\n  "a": 1\n}\n',
  ],
  ["deploy/values-dev.yaml", "yaml", "a: 1\n", "a: 1\nb: 2\n", "c: 3\na: 1\n"],
  [".github/workflows/ci.yml", "yaml", "a: 1\n", "a: 1\nb: 2\n", "c: 3\na: 1\n"],
  ["README.md", "text", "a\n", "a\nb\n", "c\na\n"],
] as const;

describe("mergeFile", () => {
  for (const [path, strategy, base, ours, theirs] of cases) {
    it(`when the file is ${path}, then merges it as ${strategy}`, () => {
      const result = mergeFile({ path, base, ours, theirs });
      expect(result.strategy).toBe(strategy);
      expect(result.conflicts).toEqual([]);
    });
  }

  it("when a JSON file does not parse, then merges it as text", () => {
    const result = mergeFile({
      path: "tsconfig.json",
      base: "{\n",
      ours: "{\n// x\n",
      theirs: "{\n",
    });
    expect(result).toEqual({
      content: "{\n// x\n",
      conflicts: [],
      unchanged: true,
      strategy: "text",
    });
  });

  it("when the service has no local edit, then the result is the template's file as it is", () => {
    const theirs = '{\n    "name": "x",\n    "files": ["dist"]\n}\n';
    const base = '{\n  "name": "x"\n}\n';
    const result = mergeFile({ path: "package.json", base, ours: base, theirs });
    expect(result).toEqual({ content: theirs, conflicts: [], unchanged: false, strategy: "json" });
  });

  it("when the file is new on both sides with different content, then it is one conflict", () => {
    const result = mergeFile({
      path: "notes.txt",
      base: "",
      ours: "local\n",
      theirs: "template\n",
    });
    expect(result.content).toBe("<<<<<<< local\nlocal\n=======\ntemplate\n>>>>>>> template\n");
  });
});
