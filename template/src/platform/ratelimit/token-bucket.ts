/** The outcome of taking one token. */
export interface RateDecision {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** Seconds until at least one token is available again (0 when allowed). */
  readonly retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
}

/** The bucket's shape, as advertised in `RateLimit-Policy`. */
export interface RatePolicy {
  /** Tokens regained per second. */
  readonly perSecond: number;
  /** Bucket size. */
  readonly burst: number;
}

/**
 * Where buckets live. The in-memory store serves one instance; a shared
 * store (Redis) makes the limit hold across instances.
 */
export interface RateLimitStore {
  /** Takes one token from the bucket of `key` at time `nowMs`. */
  take(key: string, nowMs: number): Promise<RateDecision> | RateDecision;
  /** Releases timers and connections. */
  close(): Promise<void>;
}

/** Options of {@link createMemoryRateLimitStore}. */
export interface MemoryStoreOptions extends RatePolicy {
  /** Most buckets kept; the least recently used are dropped past it. */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * A token-bucket store in a Map: O(1) per request, bounded in keys (full
 * buckets are the cheapest to forget, and a forgotten bucket restarts full).
 */
export function createMemoryRateLimitStore(options: MemoryStoreOptions): RateLimitStore {
  const { perSecond, burst } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, Bucket>();

  return {
    take(key, nowMs) {
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = { tokens: burst, updatedMs: nowMs };
        if (buckets.size >= maxKeys) {
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
      } else {
        buckets.delete(key);
        const elapsed = Math.max(0, nowMs - bucket.updatedMs) / 1000;
        bucket.tokens = Math.min(burst, bucket.tokens + elapsed * perSecond);
        bucket.updatedMs = nowMs;
      }
      buckets.set(key, bucket);
      return decide(bucket, { perSecond, burst });
    },
    async close() {
      buckets.clear();
    },
  };
}

/** Takes a token from a refilled bucket and describes the outcome. */
function decide(bucket: Bucket, policy: RatePolicy): RateDecision {
  const allowed = bucket.tokens >= 1;
  if (allowed) bucket.tokens -= 1;
  const missing = policy.burst - bucket.tokens;
  return {
    allowed,
    remaining: Math.floor(bucket.tokens),
    retryAfterSeconds: allowed ? 0 : Math.ceil((1 - bucket.tokens) / policy.perSecond),
    resetSeconds: Math.ceil(missing / policy.perSecond),
  };
}
