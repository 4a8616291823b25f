import { describe, expect, it } from "vitest";
import { createFailureWindow } from "./failure-window.ts";

describe("createFailureWindow", () => {
  it("when calls complete then it counts calls and failures", () => {
    const window = createFailureWindow(1_000, () => 5_000);
    window.record(true);
    window.record(false);
    window.record(true);
    expect(window.counts()).toEqual({ calls: 3, failures: 2 });
  });

  it("when time passes then old buckets leave the window one by one", () => {
    let now = 10_000;
    const window = createFailureWindow(1_000, () => now);
    window.record(true);
    now += 500;
    window.record(false);
    now += 550;
    expect(window.counts()).toEqual({ calls: 1, failures: 0 });
    now += 500;
    expect(window.counts()).toEqual({ calls: 0, failures: 0 });
  });

  it("when reset then nothing is counted, even with the clock near zero", () => {
    let now = 0;
    const window = createFailureWindow(10_000, () => now);
    window.record(true);
    window.reset();
    expect(window.counts()).toEqual({ calls: 0, failures: 0 });
    now = 1_500;
    expect(window.counts()).toEqual({ calls: 0, failures: 0 });
  });

  it("when a bucket comes round again then its old counts are dropped", () => {
    let now = 0;
    const window = createFailureWindow(1_000, () => now);
    window.record(true);
    now = 1_000;
    window.record(false);
    expect(window.counts()).toEqual({ calls: 1, failures: 0 });
  });
});
