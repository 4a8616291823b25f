/**
 * How a cache turns values into the text stored in Redis and back. The
 * version is part of every Redis key: bump it whenever the stored shape
 * changes, and a deploy never reads entries written in the old shape.
 */
export interface Serializer<T> {
  /** Schema version of the stored shape: a positive integer. */
  readonly version: number;
  serialize(value: T): string;
  /** Throws when the text is not a valid value (the entry is then ignored and reloaded). */
  deserialize(text: string): T;
}

/** Options of {@link jsonSerializer}. */
export interface JsonSerializerOptions<T> {
  /** Schema version of the stored shape (see {@link Serializer.version}). */
  readonly version: number;
  /**
   * Turns the parsed JSON back into a value: revive dates, check the shape
   * (a zod schema's `parse` fits). Throw to reject an entry. Default: as parsed.
   */
  readonly revive?: (parsed: unknown) => T;
}

/** A {@link Serializer} writing JSON; `Date`s become ISO strings that `revive` turns back. */
export function jsonSerializer<T>(options: JsonSerializerOptions<T>): Serializer<T> {
  if (!Number.isInteger(options.version) || options.version < 1) {
    throw new RangeError(`serializer version must be a positive integer, got ${options.version}`);
  }
  const revive = options.revive ?? ((parsed: unknown) => parsed as T);
  return {
    version: options.version,
    serialize: (value) => JSON.stringify(value),
    deserialize: (text) => revive(JSON.parse(text)),
  };
}
