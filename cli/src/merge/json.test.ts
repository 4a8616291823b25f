import { describe, expect, it } from "vitest";
import { mergeJson } from "./json.ts";

const json = (value: unknown, indent: string | number = 2) =>
  `${JSON.stringify(value, null, indent)}\n`;

/** The file as it reads after resolving every conflict to one side. */
function pick(content: string, side: "local" | "template"): string {
  const kept: string[] = [];
  let state: "out" | "local" | "template" = "out";
  for (const line of content.split("\n")) {
    if (line === "<<<<<<< local") state = "local";
    else if (line === "=======" && state === "local") state = "template";
    else if (line.startsWith(">>>>>>> ")) state = "out";
    else if (state === "out" || state === side) kept.push(line);
  }
  return kept.join("\n");
}

const basePackage = {
  name: "orders",
  version: "0.1.0",
  scripts: { build: "tsc -p tsconfig.build.json", test: "vitest run" },
  dependencies: { express: "^5.0.0", pino: "^9.0.0" },
};

describe("mergeJson on package.json", () => {
  it("when local adds a dependency and the template bumps another, then merges cleanly", () => {
    const ours = json({
      ...basePackage,
      dependencies: { express: "^5.0.0", "lodash-es": "^4.17.0", pino: "^9.0.0" },
    });
    const theirs = json({ ...basePackage, dependencies: { express: "^5.0.0", pino: "^9.6.0" } });
    const result = mergeJson({ path: "package.json", base: json(basePackage), ours, theirs });
    expect(result.conflicts).toEqual([]);
    expect(result.strategy).toBe("json");
    expect(result.content).toBe(
      json({
        ...basePackage,
        dependencies: { express: "^5.0.0", "lodash-es": "^4.17.0", pino: "^9.6.0" },
      }),
    );
    expect(() => JSON.parse(result.content)).not.toThrow();
  });

  it("when both bump the same dependency differently, then the conflict names it", () => {
    const ours = json({ ...basePackage, dependencies: { express: "^5.1.0", pino: "^9.0.0" } });
    const theirs = json({ ...basePackage, dependencies: { express: "^5.2.0", pino: "^9.1.0" } });
    const input = { path: "package.json", base: json(basePackage), ours, theirs };
    const result = mergeJson({ ...input, theirsLabel: "template 0.0.3" });
    expect(result.conflicts).toEqual([{ startLine: 9, endLine: 13, key: "dependencies.express" }]);
    expect(result.content.split("\n").slice(7, 15)).toEqual([
      '  "dependencies": {',
      "<<<<<<< local",
      '    "express": "^5.1.0",',
      "=======",
      '    "express": "^5.2.0",',
      ">>>>>>> template 0.0.3",
      '    "pino": "^9.1.0"',
      "  }",
    ]);
    expect(JSON.parse(pick(result.content, "local")).dependencies.express).toBe("^5.1.0");
    expect(JSON.parse(pick(result.content, "template")).dependencies.express).toBe("^5.2.0");
  });

  it("when the template adds a script while local edited another, then keeps both", () => {
    const ours = json({ ...basePackage, scripts: { build: "tsc -b", test: "vitest run" } });
    const theirs = json({
      ...basePackage,
      scripts: { build: "tsc -p tsconfig.build.json", lint: "biome ci .", test: "vitest run" },
    });
    const result = mergeJson({ path: "package.json", base: json(basePackage), ours, theirs });
    expect(result.conflicts).toEqual([]);
    expect(Object.entries(JSON.parse(result.content).scripts)).toEqual([
      ["build", "tsc -b"],
      ["lint", "biome ci ."],
      ["test", "vitest run"],
    ]);
  });

  it("when the template removes a key local left alone, then it is removed", () => {
    const { version: _, ...withoutVersion } = basePackage;
    const ours = json({ ...basePackage, private: true });
    const result = mergeJson({
      path: "package.json",
      base: json(basePackage),
      ours,
      theirs: json(withoutVersion),
    });
    expect(result.content).toBe(json({ ...withoutVersion, private: true }));
  });

  it("when local removed the last key the template changed, then each side resolves to JSON", () => {
    const { dependencies: _, ...withoutDependencies } = basePackage;
    const theirs = json({ ...basePackage, dependencies: { express: "^5.2.0" } });
    const input = {
      path: "package.json",
      base: json(basePackage),
      ours: json(withoutDependencies),
      theirs,
    };
    const result = mergeJson(input);
    expect(result.conflicts.map((conflict) => conflict.key)).toEqual(["dependencies"]);
    expect(JSON.parse(pick(result.content, "local"))).toEqual(withoutDependencies);
    expect(JSON.parse(pick(result.content, "template"))).toEqual(JSON.parse(theirs));
  });

  it("when both append different entries to files, then keeps both as a set", () => {
    const base = json({ name: "x", files: ["dist"] });
    const ours = json({ name: "x", files: ["dist", "bin"] });
    const theirs = json({ name: "x", files: ["dist", "template"] });
    const result = mergeJson({ path: "package.json", base, ours, theirs });
    expect(JSON.parse(result.content).files).toEqual(["dist", "bin", "template"]);
    expect(result.conflicts).toEqual([]);
  });

  it("when both change an array of numbers differently, then the whole array conflicts", () => {
    const result = mergeJson({
      path: "a.json",
      base: json({ ports: [1] }),
      ours: json({ ports: [2] }),
      theirs: json({ ports: [3] }),
    });
    expect(result.conflicts).toEqual([{ startLine: 2, endLine: 10, key: "ports" }]);
    expect(JSON.parse(pick(result.content, "local"))).toEqual({ ports: [2] });
    expect(JSON.parse(pick(result.content, "template"))).toEqual({ ports: [3] });
  });
});

describe("mergeJson formatting and fallbacks", () => {
  it("when ours is indented with four spaces, then the result keeps that indent", () => {
    const result = mergeJson({
      path: "a.json",
      base: json({ a: 1 }),
      ours: json({ a: 1, b: { c: 2 } }, 4),
      theirs: json({ a: 2 }),
    });
    expect(result.content).toBe(json({ a: 2, b: { c: 2 } }, 4));
  });

  it("when the template changed nothing, then returns ours byte for byte", () => {
    const ours = '{"name": "x",   "files": ["dist", "bin"]}';
    const result = mergeJson({
      path: "a.json",
      base: json({ name: "x" }),
      ours,
      theirs: json({ name: "x" }),
    });
    expect(result).toEqual({ content: ours, conflicts: [], unchanged: true, strategy: "json" });
  });

  it("when a version is not valid JSON, then falls back to the text merge", () => {
    const base = '{\n  "a": 1,\n  "b": 2\n}\n';
    const ours = base.replace("{\n", "{\n  // local note\n");
    const theirs = base.replace('"b": 2', '"b": 3');
    expect(mergeJson({ path: "tsconfig.json", base, ours, theirs })).toEqual({
      content: '{\n  // local note\n  "a": 1,\n  "b": 3\n}\n',
      conflicts: [],
      unchanged: false,
      strategy: "text",
    });
  });

  it("when ours uses CRLF, then the result uses CRLF", () => {
    const ours = json({ a: 1, b: 1 }).replaceAll("\n", "\r\n");
    const result = mergeJson({
      path: "a.json",
      base: json({ a: 1 }),
      ours,
      theirs: json({ a: 2 }),
    });
    expect(result.content).toBe('{\r\n  "a": 2,\r\n  "b": 1\r\n}\r\n');
  });

  it("when a key new in the template has no predecessor in ours, then it goes first", () => {
    const result = mergeJson({
      path: "a.json",
      base: json({ b: 1 }),
      ours: json({ b: 1, c: 1 }),
      theirs: json({ a: 0, b: 1 }),
    });
    expect(Object.keys(JSON.parse(result.content))).toEqual(["a", "b", "c"]);
  });

  it("when theirs is merged again into the result with theirs as base, then nothing changes", () => {
    const ours = json({ ...basePackage, private: true });
    const theirs = json({ ...basePackage, version: "0.2.0", type: "module" });
    const first = mergeJson({ path: "package.json", base: json(basePackage), ours, theirs });
    const again = mergeJson({ path: "package.json", base: theirs, ours: first.content, theirs });
    expect(again.unchanged).toBe(true);
  });
});
