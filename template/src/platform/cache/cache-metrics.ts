import { Counter, type Registry } from "prom-client";

/** A cache tier: `l1` in the process, `l2` in Redis (`tier` label). */
export type CacheTier = "l1" | "l2";

/** How a loader call ended (`outcome` label of `lumi_cache_loads_total`). */
export type CacheLoadOutcome = "success" | "error";

/**
 * What a cache records, per cache name. The composition root implements it
 * on the service's registry ({@link createCacheMetrics}); tests pass a recorder.
 */
export interface CacheMetrics {
  /** A read answered by the tier (a stale L1 entry served while refreshing counts too). */
  hit(cache: string, tier: CacheTier): void;
  /** A read the tier could not answer (L2: consulted and empty). */
  miss(cache: string, tier: CacheTier): void;
  /** One loader call (a "not found" answer is a success). */
  load(cache: string, outcome: CacheLoadOutcome): void;
  /** An operation on the tier failed or was refused by the breaker (L2 only today). */
  error(cache: string, tier: CacheTier): void;
  /** An entry dropped to stay within the tier's bounds (L1 only: Redis evicts on its own). */
  eviction(cache: string, tier: CacheTier): void;
}

/** A {@link CacheMetrics} recording nothing: the default when a cache is given none. */
export const noopCacheMetrics: CacheMetrics = {
  hit() {},
  miss() {},
  load() {},
  error() {},
  eviction() {},
};

/**
 * Registers the five cache metrics reserved in docs/metrics.md on `registry`
 * and returns a {@link CacheMetrics} recording into them. Call it once per
 * registry and share the result between caches.
 */
export function createCacheMetrics(registry: Registry): CacheMetrics {
  const counter = (name: string, help: string, second: "tier" | "outcome") =>
    new Counter({ name, help, labelNames: ["cache", second], registers: [registry] });
  const hits = counter("lumi_cache_hits_total", "Cache reads answered, by cache and tier.", "tier");
  const misses = counter(
    "lumi_cache_misses_total",
    "Cache reads a tier could not answer, by cache and tier.",
    "tier",
  );
  const loads = counter(
    "lumi_cache_loads_total",
    "Loader calls (reads of the source of truth), by cache and outcome.",
    "outcome",
  );
  const errors = counter(
    "lumi_cache_errors_total",
    "Cache tier operations that failed or were refused by the breaker, by cache and tier.",
    "tier",
  );
  const evictions = counter(
    "lumi_cache_evictions_total",
    "Entries dropped to keep a tier within its bounds, by cache and tier.",
    "tier",
  );

  // Label children are cached per combination: a hit costs a Map lookup, not a label hash.
  const counting = (metric: Counter) => {
    const children = new Map<string, { inc(): void }>();
    return (cache: string, second: string) => {
      const key = `${cache}\u0000${second}`;
      let child = children.get(key);
      if (child === undefined) {
        child = metric.labels(cache, second);
        children.set(key, child);
      }
      child.inc();
    };
  };

  return {
    hit: counting(hits),
    miss: counting(misses),
    load: counting(loads),
    error: counting(errors),
    eviction: counting(evictions),
  };
}
