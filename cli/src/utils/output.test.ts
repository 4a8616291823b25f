import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { canPrompt } from "./interactive.ts";
import { colorWanted, createOutput } from "./output.ts";

describe("colorWanted", () => {
  it("when --no-color or NO_COLOR then no colour, FORCE_COLOR forces it, else the terminal decides", () => {
    expect(colorWanted(false, {}, true)).toBe(false);
    expect(colorWanted(undefined, { NO_COLOR: "1" }, true)).toBe(false);
    expect(colorWanted(undefined, { FORCE_COLOR: "1" }, false)).toBe(true);
    expect(colorWanted(undefined, {}, true)).toBe(true);
    expect(colorWanted(undefined, {}, false)).toBe(false);
  });
});

describe("canPrompt", () => {
  const tty = { stdin: true, stdout: true };
  it("when --yes, CI or no terminal then it never prompts", () => {
    expect(canPrompt(true, {}, tty)).toBe(false);
    expect(canPrompt(undefined, { CI: "true" }, tty)).toBe(false);
    expect(canPrompt(undefined, {}, { stdin: false, stdout: true })).toBe(false);
    expect(canPrompt(undefined, { CI: "false" }, tty)).toBe(true);
  });
});

describe("createOutput", () => {
  it("when --json then only the JSON result reaches stdout and logs go to stderr", () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const output = createOutput({ json: true, color: false }, { stdout, stderr });
    output.info("working");
    output.text("human");
    output.result({ ok: true });
    expect(stdout.read()?.toString()).toBe('{\n  "ok": true\n}\n');
    expect(stderr.read()?.toString()).toBe("working\n");
  });
});
