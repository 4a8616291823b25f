import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { RedisConnection } from "../cache/index.ts";
import type { RateDecision, RateLimitStore, RatePolicy } from "./token-bucket.ts";

/** Options of {@link createRedisRateLimitStore}. */
export interface RedisStoreOptions extends RatePolicy {
  /** The shared connection; the store does not close it. */
  readonly redis: RedisConnection;
  /** Prefix of the bucket keys; default `<redis key prefix>:ratelimit`. */
  readonly prefix?: string;
  /** Where buckets live while Redis cannot answer (an in-memory store); closed with this one. */
  readonly fallback: RateLimitStore;
  /** Switches to and from the fallback are logged here. */
  readonly logger?: Logger;
  /**
   * Most tokens one instance holds of a client's shared bucket (leases are
   * at most this); default {@link defaultMaxLease}: a tenth of the burst,
   * at most 1,000, at least 1 (1 makes every request a Redis call, the exact
   * bucket).
   */
  readonly maxLease?: number;
  /** How long leased tokens stay usable after the last lease, in ms; then dropped. Default 1,000. */
  readonly leaseTtlMs?: number;
  /** Most client keys whose leases are kept in the process; default 100,000. */
  readonly maxKeys?: number;
}

/**
 * The most an instance holds for a burst: a tenth of it, between 1 and 1,000
 * tokens. A Redis call costs the instance far more CPU than a request's
 * own work (the socket write dominates in profiles), so a busy client's
 * leases should be large.
 */
export function defaultMaxLease(burst: number): number {
  return Math.min(1_000, Math.max(1, Math.floor(burst / 10)));
}

/**
 * One token bucket, atomically: refill from the elapsed time, take up to
 * ARGV[3] whole tokens (1 when absent) if there are any, store the state in
 * a hash that expires once the bucket would be full again (a missing bucket
 * is a full one). The clock is Redis's own (TIME), so instances with
 * drifting clocks still agree.
 * KEYS[1]: the bucket; ARGV: tokens per second, burst, tokens wanted.
 * Returns { tokens granted, tokens left as a string }.
 */
export const tokenBucketScript = `
if redis.replicate_commands then redis.replicate_commands() end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3]) or 1
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local granted = math.max(0, math.min(want, math.floor(tokens)))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return { granted, tostring(tokens) }
`;

const scriptSha = createHash("sha1").update(tokenBucketScript).digest("hex");

/** What one instance holds of one client's shared bucket. */
interface Lease {
  /** Leased whole tokens not spent yet. */
  tokens: number;
  /** When unspent tokens are dropped (the caller's clock). */
  expiresMs: number;
  /** Tokens the shared bucket had left after the last lease. */
  shared: number;
  /** Until then the shared bucket has no whole token: refused without asking Redis. */
  emptyUntilMs: number;
  /** When the last lease was asked for, and what it granted (sizes the next one). */
  leasedAtMs: number;
  granted: number;
  /** The lease being asked for, which takes without a token wait for. */
  pending: Promise<void> | undefined;
  waiting: number;
}

/**
 * A rate-limit store shared by every instance through Redis. Each instance
 * leases tokens from the client's shared bucket (one Lua script, EVALSHA,
 * loaded again on NOSCRIPT) and spends them locally, so a busy client costs
 * one Redis call per lease, not per request:
 *
 * - a lease asks for about what the client spent in the last 100 ms (and
 *   at least one token per waiting request), up to `maxLease`; a quiet
 *   client leases one token at a time, the exact bucket;
 * - a busy client's next lease is asked for in the background when half of
 *   the current one is spent, so its requests do not wait on Redis;
 * - concurrent requests of a client wait on one lease instead of each
 *   asking Redis;
 * - when Redis grants fewer tokens than asked, the shared bucket is empty:
 *   the client is refused locally until its next token is due (the bucket
 *   only refills with time, so Redis could not answer otherwise);
 * - tokens not spent within `leaseTtlMs` of the last lease are dropped:
 *   never more is allowed than the shared bucket gave out, and an instance
 *   holds at most `maxLease` tokens of a client.
 *
 * Calls run under the connection's breaker; while Redis fails, buckets live
 * in `fallback` (the limit then holds per instance) and the store returns to
 * Redis once it answers again. It never throws.
 */
export function createRedisRateLimitStore(options: RedisStoreOptions): RateLimitStore {
  const { redis, fallback, perSecond, burst, logger } = options;
  if (!(perSecond > 0) || !(burst >= 1)) {
    throw new RangeError(
      `rate limit needs perSecond > 0 and burst >= 1, got ${perSecond}, ${burst}`,
    );
  }
  const maxLease = Math.max(1, Math.floor(options.maxLease ?? defaultMaxLease(burst)));
  const leaseTtlMs = options.leaseTtlMs ?? 1_000;
  const maxKeys = options.maxKeys ?? 100_000;
  const prefix = options.prefix ?? `${redis.keyPrefix}:ratelimit`;
  const leases = new Map<string, Lease>();
  let degraded = false;

  const evaluate = async (key: string, want: number): Promise<unknown> =>
    redis.run(async (client) => {
      const args = [scriptSha, 1, key, perSecond, burst, want] as const;
      try {
        return await client.evalsha(...args);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
        await client.script("LOAD", tokenBucketScript);
        return client.evalsha(...args);
      }
    });

  /**
   * How many tokens to ask for: what the client spent over the last 100 ms,
   * at least one per waiting request, and no more than makes `maxLease` held.
   */
  const wanted = (lease: Lease, held: number, nowMs: number): number => {
    const perMs = (lease.granted - lease.tokens) / Math.max(1, nowMs - lease.leasedAtMs);
    const want = Math.max(1, lease.waiting, Math.ceil(perMs * 100));
    return Math.max(1, Math.min(want, maxLease - Math.floor(held)));
  };

  /** Leases tokens for `key` from Redis; rejects when Redis fails. */
  const renew = async (key: string, lease: Lease, nowMs: number): Promise<void> => {
    // Leased tokens still valid are kept; expired ones are dropped.
    const valid = (): number => (nowMs < lease.expiresMs ? lease.tokens : 0);
    const want = wanted(lease, valid(), nowMs);
    try {
      const [granted, shared] = parseReply(await evaluate(`${prefix}:${key}`, want));
      lease.tokens = valid() + granted;
      lease.granted = lease.tokens;
      lease.leasedAtMs = nowMs;
      lease.expiresMs = nowMs + leaseTtlMs;
      lease.shared = shared;
      // Fewer than asked: no whole token is left, and none comes back before
      // the refill provides one (counted from when the lease was asked for).
      if (granted < want) lease.emptyUntilMs = nowMs + ((1 - shared) / perSecond) * 1000;
    } catch (error) {
      if (!degraded) {
        degraded = true;
        logger?.warn({ err: error }, "rate-limit store: Redis failed; buckets kept per instance");
      }
      throw error;
    } finally {
      lease.pending = undefined;
    }
    if (degraded) {
      degraded = false;
      logger?.info("rate-limit store: Redis answers again; buckets shared");
    }
  };

  const startRenewal = (key: string, lease: Lease, nowMs: number): Promise<void> => {
    lease.pending ??= renew(key, lease, nowMs);
    return lease.pending;
  };

  /** Spends a leased token, or returns undefined when there is none. */
  const spend = (lease: Lease): RateDecision | undefined => {
    if (lease.tokens < 1) return undefined;
    lease.tokens -= 1;
    const left = lease.shared + lease.tokens;
    return {
      allowed: true,
      remaining: Math.floor(left),
      retryAfterSeconds: 0,
      resetSeconds: Math.ceil((burst - left) / perSecond),
    };
  };

  const refused = (lease: Lease, nowMs: number): RateDecision | undefined => {
    if (nowMs >= lease.emptyUntilMs) return undefined;
    return {
      allowed: false,
      remaining: 0,
      retryAfterSeconds: Math.max(1, Math.ceil((lease.emptyUntilMs - nowMs) / 1000)),
      resetSeconds: Math.ceil((burst - lease.shared) / perSecond),
    };
  };

  /** Waits for leases until a token or a refusal comes; falls back when Redis fails. */
  const acquire = async (key: string, lease: Lease, nowMs: number): Promise<RateDecision> => {
    lease.waiting += 1;
    try {
      for (;;) {
        await startRenewal(key, lease, nowMs);
        // Just leased: the tokens are fresh whatever the caller's clock says.
        const decision = spend(lease) ?? refused(lease, nowMs);
        if (decision !== undefined) return decision;
      }
    } catch {
      return fallback.take(key, nowMs);
    } finally {
      lease.waiting -= 1;
    }
  };

  const leaseOf = (key: string): Lease => {
    let lease = leases.get(key);
    if (lease === undefined) {
      if (leases.size >= maxKeys) {
        const oldest = leases.keys().next().value;
        if (oldest !== undefined) leases.delete(oldest);
      }
      lease = {
        tokens: 0,
        expiresMs: 0,
        shared: burst,
        emptyUntilMs: 0,
        leasedAtMs: 0,
        granted: 0,
        pending: undefined,
        waiting: 0,
      };
      leases.set(key, lease);
    }
    return lease;
  };

  return {
    take(key, nowMs) {
      const lease = leaseOf(key);
      const decision = nowMs < lease.expiresMs ? spend(lease) : undefined;
      if (decision === undefined) return refused(lease, nowMs) ?? acquire(key, lease, nowMs);
      // Half of a multi-token lease spent: the next one is asked for now.
      if (lease.granted > 1 && lease.tokens <= lease.granted / 2 && lease.pending === undefined) {
        startRenewal(key, lease, nowMs).catch(() => {});
      }
      return decision;
    },
    async close() {
      leases.clear();
      await fallback.close();
    },
  };
}

/** The script's reply: tokens granted and tokens left in the shared bucket. */
function parseReply(reply: unknown): [granted: number, shared: number] {
  const [grantedText, tokensText] = Array.isArray(reply) ? reply : [];
  const granted = Number(grantedText);
  const shared = Number(tokensText);
  if (!Number.isInteger(granted) || !Number.isFinite(shared)) {
    throw new TypeError("unexpected token bucket reply");
  }
  return [granted, shared];
}
