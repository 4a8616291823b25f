import { setTimeout as sleep } from "node:timers/promises";
import type { CacheMetrics } from "../src/platform/cache/index.ts";

/** A CacheMetrics counting each call as `method:label` (`hit:l1`, `load:success`…). */
export function countingCacheMetrics(): { metrics: CacheMetrics; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const count = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);
  return {
    counts,
    metrics: {
      hit: (_cache, tier) => count(`hit:${tier}`),
      miss: (_cache, tier) => count(`miss:${tier}`),
      load: (_cache, outcome) => count(`load:${outcome}`),
      error: (_cache, tier) => count(`error:${tier}`),
      eviction: (_cache, tier) => count(`eviction:${tier}`),
    },
  };
}

/** What a {@link countingLoader} saw. */
export interface LoaderStats {
  calls: number;
  running: number;
  maxRunning: number;
}

/**
 * A loader taking `delayMs`, counting its calls and how many run at once;
 * call n answers `value(n)` (`v1`, `v2`… by default).
 */
export function countingLoader<T = string>(
  delayMs = 5,
  value: (n: number) => T | undefined = (n) => `v${n}` as T,
): { loader: (key: string) => Promise<T | undefined>; stats: LoaderStats } {
  const stats: LoaderStats = { calls: 0, running: 0, maxRunning: 0 };
  const loader = async () => {
    stats.calls += 1;
    const n = stats.calls;
    stats.running += 1;
    stats.maxRunning = Math.max(stats.maxRunning, stats.running);
    try {
      await sleep(delayMs);
      return value(n);
    } finally {
      stats.running -= 1;
    }
  };
  return { loader, stats };
}
