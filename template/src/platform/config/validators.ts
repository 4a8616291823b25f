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

/** An envalid validator for a ratio between 0 and 1 (sampling rates). */
export const ratio = makeValidator<number>((input: string) => {
  const value = Number(input);
  if (input.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new EnvError(`must be a number from 0 to 1, got "${input}"`);
  }
  return value;
});

/** An envalid validator for an http(s) URL, or "" for none. */
export const optionalUrl = makeValidator<string>((input: string) => {
  const value = input.trim();
  if (value === "") return "";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EnvError(`must be an http or https URL, got "${input}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new EnvError(`must be an http or https URL, got "${input}"`);
  }
  return value;
});
// lumi:begin redis

/**
 * An envalid validator for a `redis://` or `rediss://` URL, or "" for none.
 * Its messages never repeat the value: it may hold a password.
 */
export const optionalRedisUrl = makeValidator<string>((input: string) => {
  const value = input.trim();
  if (value === "") return "";
  if (!URL.canParse(value) || !["redis:", "rediss:"].includes(new URL(value).protocol)) {
    throw new EnvError("must be a redis:// or rediss:// URL");
  }
  return value;
});
// lumi:end redis
