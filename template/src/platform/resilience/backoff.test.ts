import { describe, expect, it } from "vitest";
import { fullJitterDelay, parseRetryAfter } from "./backoff.ts";

describe("fullJitterDelay", () => {
  it("when retries go on then the ceiling doubles from the base delay", () => {
    const almostOne = () => 0.999_999;
    expect([1, 2, 3, 4].map((retry) => fullJitterDelay(retry, 100, 10_000, almostOne))).toEqual([
      99, 199, 399, 799,
    ]);
  });

  it("when the ceiling passes the maximum then the maximum bounds it", () => {
    expect(fullJitterDelay(10, 100, 1_000, () => 0.5)).toBe(500);
  });

  it("when random returns 0 then there is no delay (full jitter starts at 0)", () => {
    expect(fullJitterDelay(3, 100, 1_000, () => 0)).toBe(0);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-21T10:00:00Z");

  it("when given seconds then it returns milliseconds", () => {
    expect(parseRetryAfter("1", now)).toBe(1_000);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
    expect(parseRetryAfter("0", now)).toBe(0);
  });

  it("when given an HTTP date then it returns the time until it, and 0 once past", () => {
    expect(parseRetryAfter("Sat, 21 Nov 2026 10:00:05 GMT", now)).toBe(5_000);
    expect(parseRetryAfter("Sat, 21 Nov 2026 09:59:00 GMT", now)).toBe(0);
  });

  it("when absent or malformed then it returns undefined", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("-1", now)).toBeUndefined();
    expect(parseRetryAfter("1.5", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("Sat, not a date", now)).toBeUndefined();
  });
});
