import { describe, expect, it } from "vitest";
import { mergeStringArrays } from "./string-array.ts";
import { orderKeys } from "./three-way.ts";

describe("mergeStringArrays", () => {
  it("when each side edits its own part, then merges in order", () => {
    expect(mergeStringArrays(["a", "b", "c"], ["A", "b", "c"], ["a", "b", "c", "d"])).toEqual([
      "A",
      "b",
      "c",
      "d",
    ]);
  });

  it("when both append different strings, then keeps ours' then theirs'", () => {
    expect(mergeStringArrays(["dist"], ["dist", "bin"], ["dist", "template"])).toEqual([
      "dist",
      "bin",
      "template",
    ]);
  });

  it("when ours appends and theirs removes the string before, then does both", () => {
    expect(mergeStringArrays(["a", "b"], ["a", "b", "c"], ["a"])).toEqual(["a", "c"]);
  });

  it("when both replace the same string differently, then it is a conflict", () => {
    expect(mergeStringArrays(["node", "a.js"], ["node", "b.js"], ["node", "c.js"])).toBeUndefined();
  });

  it("when an array holds a string twice, then overlapping edits conflict", () => {
    expect(mergeStringArrays(["x", "x"], ["x", "x", "a"], ["x", "x", "b"])).toBeUndefined();
  });
});

describe("orderKeys", () => {
  it("when theirs adds keys, then each follows its predecessor in theirs", () => {
    const order = orderKeys(
      ["name", "scripts", "private"],
      ["type", "name", "bin", "scripts"],
      () => true,
    );
    expect(order).toEqual(["type", "name", "bin", "scripts", "private"]);
  });

  it("when a key is not kept, then it is left out", () => {
    expect(orderKeys(["a", "b"], ["a", "c"], (key) => key !== "b")).toEqual(["a", "c"]);
  });
});
