// lumi:begin redis
import { randomUUID } from "node:crypto";
// lumi:end redis
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import { type CacheMetrics, noopCacheMetrics } from "./cache-metrics.ts";
import { encodeEntry, entryBytes } from "./entry.ts";
// lumi:begin redis
import { createL2Tier } from "./l2-tier.ts";
import type { RedisConnection } from "./redis.ts";
// lumi:end redis
import type { Serializer } from "./serializer.ts";

/** The tunable part of a cache (what configuration sets); every key has a default. */
export interface CacheSettings {
  /** Most entries kept in the process (L1). */
  readonly l1MaxEntries: number;
  /** Most bytes kept in the process (L1), counted as serialised key + value. */
  readonly l1MaxBytes: number;
  /** How long an L1 entry is fresh, in ms; never longer than what is left of its L2 entry. */
  readonly ttlMs: number;
  // lumi:begin redis
  /** How long an entry lives in Redis (L2), in ms. */
  readonly l2TtlMs: number;
  // lumi:end redis
  /** Up to this share of each TTL (0–1) is taken off at random, so entries written together expire apart. */
  readonly ttlJitter: number;
  /** How long a "not found" answer is cached, in both tiers, in ms. */
  readonly negativeTtlMs: number;
  /** How long past its TTL an L1 entry is still served while one refresh runs; 0 disables it. */
  readonly staleWhileRevalidateMs: number;
}

/** Settings used for every key a cache's options leave out. */
export const cacheDefaults = {
  l1MaxEntries: 10_000,
  l1MaxBytes: 16 * 1024 * 1024,
  ttlMs: 30_000,
  // lumi:begin redis
  l2TtlMs: 300_000,
  // lumi:end redis
  ttlJitter: 0.1,
  negativeTtlMs: 5_000,
  staleWhileRevalidateMs: 5_000,
} as const satisfies CacheSettings;

/** Options of {@link createCache}. */
export interface CacheOptions<T> extends Partial<CacheSettings> {
  /** Bounded, stable name: the `cache` metric label and a key part. */
  readonly name: string;
  readonly serializer: Serializer<T>;
  // lumi:begin redis
  /** The shared tier; without it the cache is L1 only. */
  readonly redis?: RedisConnection | undefined;
  // lumi:end redis
  readonly metrics?: CacheMetrics;
  readonly logger: Logger;
  /** Source of jitter in [0, 1); tests pin it. */
  readonly random?: () => number;
}

/** Reads the source of truth for one key; `undefined` means "not found" (cached negatively). */
export type Loader<T> = (key: string) => Promise<T | undefined>;

/** A two-tier read-through cache. Values are shared between callers: treat them as immutable. */
export interface Cache<T> {
  readonly name: string;
  /**
   * Returns the value of `key`: from L1, else from L2, else from `loader`
   * (one call per key at a time in this instance, whatever the number of
   * callers). Only the loader's own errors reach the caller; Redis failing
   * never does.
   */
  get(key: string, loader: Loader<T>): Promise<T | undefined>;
  /**
   * Forgets `key` in both tiers and tells the other instances to drop it
   * from their L1. Call it after every write of the source; never throws.
   */
  invalidate(key: string): Promise<void>;
  /** What L1 holds now. */
  stats(): { readonly entries: number; readonly bytes: number };
  /** Stops listening for invalidations and empties L1; later reads go to the loader. */
  close(): Promise<void>;
}

interface Entry<T> {
  /** `undefined`: a cached "not found". */
  readonly value: T | undefined;
  /** `performance.now()` after which the entry is stale (refreshed on the next read). */
  readonly staleAt: number;
}

interface Flight<T> {
  promise: Promise<T | undefined>;
  /** Cleared when the key is invalidated meanwhile: the result is returned but not cached. */
  current: boolean;
}

const namePattern = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * Creates a two-tier read-through cache: a bounded LRU in the process (L1)
 * in front of Redis (L2, shared by the instances). Every Redis operation
 * runs under the connection's breaker and every failure is absorbed: while
 * Redis is down the cache is L1 + loader, and it uses Redis again as soon as
 * the breaker lets a trial through. Throws a RangeError for invalid settings.
 */
export function createCache<T>(options: CacheOptions<T>): Cache<T> {
  const settings: CacheSettings = {
    l1MaxEntries: options.l1MaxEntries ?? cacheDefaults.l1MaxEntries,
    l1MaxBytes: options.l1MaxBytes ?? cacheDefaults.l1MaxBytes,
    ttlMs: options.ttlMs ?? cacheDefaults.ttlMs,
    // lumi:begin redis
    l2TtlMs: options.l2TtlMs ?? cacheDefaults.l2TtlMs,
    // lumi:end redis
    ttlJitter: options.ttlJitter ?? cacheDefaults.ttlJitter,
    negativeTtlMs: options.negativeTtlMs ?? cacheDefaults.negativeTtlMs,
    staleWhileRevalidateMs: options.staleWhileRevalidateMs ?? cacheDefaults.staleWhileRevalidateMs,
  };
  const { name, serializer, logger } = options;
  const problems = settingsProblems(name, settings);
  if (problems.length > 0) throw new RangeError(`cache ${name}: ${problems.join("; ")}`);
  const metrics = options.metrics ?? noopCacheMetrics;
  const random = options.random ?? Math.random;
  // lumi:begin redis
  const { redis } = options;
  const l2 =
    redis === undefined
      ? undefined
      : createL2Tier({ redis, name, serializer, metrics, logger, instanceId: randomUUID() });
  // lumi:end redis
  const jittered = (ms: number) =>
    Math.max(1, Math.round(ms * (1 - settings.ttlJitter * random())));

  const l1 = new LRUCache<string, Entry<T>>({
    max: settings.l1MaxEntries,
    maxSize: settings.l1MaxBytes,
    dispose: (_entry, _key, reason) => {
      if (reason === "evict") metrics.eviction(name, "l1");
    },
  });
  const flights = new Map<string, Flight<T>>();
  let closed = false;

  /** Stores a value in L1 for at most `lifeMs` (what is left of it in L2, if any). */
  const remember = (
    key: string,
    value: T | undefined,
    bytes: number,
    lifeMs = Number.POSITIVE_INFINITY,
  ) => {
    const positive = value !== undefined;
    const freshMs = Math.min(jittered(positive ? settings.ttlMs : settings.negativeTtlMs), lifeMs);
    if (freshMs <= 0 || closed) return;
    const staleMs = positive ? settings.staleWhileRevalidateMs : 0;
    l1.set(
      key,
      { value, staleAt: performance.now() + freshMs },
      { ttl: freshMs + staleMs, size: Math.max(1, bytes) },
    );
  };

  /** Reads through L2 to the loader, caching the result unless the key was invalidated meanwhile. */
  const fetchThrough = async (key: string, loader: Loader<T>, flight: Flight<T>) => {
    try {
      // lumi:begin redis
      const stored = await l2?.read(key);
      if (stored !== undefined) {
        if (flight.current) remember(key, stored.value, stored.bytes, stored.remainingMs);
        return stored.value;
      }
      // lumi:end redis
      let value: T | undefined;
      try {
        value = await loader(key);
        metrics.load(name, "success");
      } catch (error) {
        metrics.load(name, "error");
        throw error;
      }
      if (flight.current && !closed) {
        const text = encodeEntry(serializer, value);
        // lumi:begin redis
        const l2TtlMs = jittered(value === undefined ? settings.negativeTtlMs : settings.l2TtlMs);
        remember(key, value, entryBytes(key, text), l2TtlMs);
        l2?.write(key, text, l2TtlMs);
        // lumi:end redis
        // lumi:begin !redis
        // remember(key, value, entryBytes(key, text));
        // lumi:end !redis
      }
      return value;
    } finally {
      if (flights.get(key) === flight) flights.delete(key);
    }
  };

  /** Starts, or joins, the one load of `key` running in this instance. */
  const load = (key: string, loader: Loader<T>): Promise<T | undefined> => {
    const running = flights.get(key);
    if (running !== undefined) return running.promise;
    const flight: Flight<T> = { current: true, promise: Promise.resolve(undefined) };
    // Registered before the load starts: a loader that fails at once still unregisters it.
    flights.set(key, flight);
    flight.promise = fetchThrough(key, loader, flight);
    return flight.promise;
  };

  /** Drops `key` from L1; a load already running for it will not be cached. */
  const forget = (key: string) => {
    l1.delete(key);
    const flight = flights.get(key);
    if (flight !== undefined) {
      flight.current = false;
      flights.delete(key);
    }
  };
  const forgetAll = () => {
    l1.clear();
    for (const flight of flights.values()) flight.current = false;
    flights.clear();
  };
  // lumi:begin redis

  const unsubscribe = l2?.listen(forget, () => {
    if (l1.size === 0 && flights.size === 0) return;
    logger.info({ cache: name }, "cache invalidations may have been missed; L1 emptied");
    forgetAll();
  });
  // lumi:end redis

  return {
    name,
    async get(key, loader) {
      if (closed) return loader(key);
      const entry = l1.get(key);
      const stale = entry !== undefined && entry.staleAt <= performance.now();
      if (entry !== undefined && (!stale || settings.staleWhileRevalidateMs > 0)) {
        metrics.hit(name, "l1");
        if (stale && !flights.has(key)) {
          // Serve the stale value now; one refresh per key runs in the background.
          load(key, loader).catch((error: unknown) => {
            logger.warn({ err: error, cache: name }, "cache refresh failed; serving stale value");
          });
        }
        return entry.value;
      }
      metrics.miss(name, "l1");
      return load(key, loader);
    },
    async invalidate(key) {
      forget(key);
      // lumi:begin redis
      await l2?.remove(key);
      // lumi:end redis
    },
    stats: () => ({ entries: l1.size, bytes: l1.calculatedSize }),
    async close() {
      closed = true;
      // lumi:begin redis
      unsubscribe?.();
      // lumi:end redis
      forgetAll();
    },
  };
}

/** Lists what is wrong with a cache's name and settings; empty when they are valid. */
function settingsProblems(name: string, settings: CacheSettings): string[] {
  const problems: string[] = [];
  if (!namePattern.test(name)) {
    problems.push("name must match [a-z][a-z0-9_-]{0,62} (a bounded metric label value)");
  }
  const integer = (key: keyof CacheSettings, min: number) => {
    const value = settings[key];
    if (!Number.isSafeInteger(value) || value < min) {
      problems.push(`${key} must be an integer >= ${min}, got ${value}`);
    }
  };
  integer("l1MaxEntries", 1);
  integer("l1MaxBytes", 1);
  integer("ttlMs", 1);
  // lumi:begin redis
  integer("l2TtlMs", 1);
  // lumi:end redis
  integer("negativeTtlMs", 1);
  integer("staleWhileRevalidateMs", 0);
  if (!(settings.ttlJitter >= 0 && settings.ttlJitter <= 1)) {
    problems.push(`ttlJitter must be from 0 to 1, got ${settings.ttlJitter}`);
  }
  return problems;
}
