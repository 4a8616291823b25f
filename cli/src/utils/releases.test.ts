import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cliVersion } from "./paths.ts";
import { releases } from "./releases.ts";

describe("releases", () => {
  it("when compared with the dated sections of CHANGELOG.md then they are the same, oldest first", () => {
    const changelog = readFileSync(new URL("../../../CHANGELOG.md", import.meta.url), "utf8");
    const dated = [...changelog.matchAll(/^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$/gm)].map(
      (match) => match[1],
    );
    expect([...releases]).toEqual(dated.reverse());
  });

  it("when the CLI is released then its version is the newest release", () => {
    expect(releases.at(-1)).toBe(cliVersion);
  });
});
