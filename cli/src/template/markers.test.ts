import { describe, expect, it } from "vitest";
import { applyMarkers } from "./markers.ts";

const on = (features: string[]) => (feature: string) => features.includes(feature);

describe("applyMarkers", () => {
  const source = [
    "a",
    "// lumi:begin rpc",
    "rpc line",
    "// lumi:end rpc",
    "  # lumi:begin !rpc",
    "  # no rpc: value",
    "  # lumi:end !rpc",
    "<!-- lumi:begin redis -->",
    "redis line",
    "<!-- lumi:end redis -->",
    "z",
  ].join("\n");

  it("when a feature is on then its block stays and the markers go", () => {
    expect(applyMarkers(source, "f", on(["rpc", "redis"]))).toBe("a\nrpc line\nredis line\nz");
  });

  it("when a feature is off then its block goes and a negated block is uncommented", () => {
    expect(applyMarkers(source, "f", on([]))).toBe("a\n  no rpc: value\nz");
  });

  it("when a negated block holds a bare comment line then it becomes an empty line", () => {
    const source = "a\n# lumi:begin !rpc\n# x: 1\n#\n# y: 2\n# lumi:end !rpc\nz";
    expect(applyMarkers(source, "f", on([]))).toBe("a\nx: 1\n\ny: 2\nz");
  });

  it("when blocks nest then the outer block decides for the inner", () => {
    const nested =
      "// lumi:begin rpc\nx\n// lumi:begin redis\ny\n// lumi:end redis\n// lumi:end rpc";
    expect(applyMarkers(nested, "f", on(["redis"]))).toBe("");
    expect(applyMarkers(nested, "f", on(["rpc"]))).toBe("x");
  });

  it("when a block is not closed or closed by another then it names the file and line", () => {
    expect(() => applyMarkers("// lumi:begin rpc\nx", "src/a.ts", on([]))).toThrow(
      "src/a.ts:1: lumi:begin rpc is never closed",
    );
    expect(() => applyMarkers("// lumi:begin rpc\n// lumi:end redis", "b", on([]))).toThrow(
      "b:2: lumi:end redis does not close lumi:begin rpc",
    );
  });

  it("when a file has no markers then it is returned as it is", () => {
    expect(applyMarkers("// lumi: not a marker\n", "f", on([]))).toBe("// lumi: not a marker\n");
  });
});
