import { EnvError, makeValidator } from "envalid";

/** Options of {@link int}. */
export interface IntRange {
  readonly min?: number;
  readonly max?: number;
}

/** An envalid validator for a whole number within a range. */
export function int(range: IntRange = {}) {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  return makeValidator<number>((input: string) => {
    const value = Number(input);
    if (input.trim() === "" || !Number.isSafeInteger(value)) {
      throw new EnvError(`must be a whole number, got "${input}"`);
    }
    if (value < min || value > max) {
      throw new EnvError(`must be between ${min} and ${max}, got ${value}`);
    }
    return value;
  });
}

/** An envalid validator for a comma-separated list; blanks are dropped. */
export const list = makeValidator<readonly string[]>((input: string) =>
  Object.freeze(
    input
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== ""),
  ),
);
