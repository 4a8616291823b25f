/**
 * Delay before retry number `retry` (1 for the first retry) with full
 * jitter: uniform in [0, min(maxDelayMs, baseDelayMs × 2^(retry−1))).
 * `random` returns a number in [0, 1), like `Math.random`.
 */
export function fullJitterDelay(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses a `Retry-After` value (delay in seconds, or an HTTP date) into
 * milliseconds from `nowMs` (a wall-clock time); undefined when absent or
 * malformed. A date in the past gives 0.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // An HTTP date always names its weekday; this keeps Date.parse from
  // accepting bare numbers or other loose formats.
  if (!/^[A-Za-z]{3},/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
