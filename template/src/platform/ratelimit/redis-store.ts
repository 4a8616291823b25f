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
}

/**
 * One token bucket, atomically: refill from the elapsed time, take a token if
 * there is one, store the state in a hash that expires once the bucket would
 * be full again (a missing bucket is a full one). The clock is Redis's own
 * (TIME), so instances with drifting clocks still agree.
 * KEYS[1]: the bucket; ARGV: tokens per second, burst.
 * Returns { 1 if allowed else 0, tokens left as a string }.
 */
export const tokenBucketScript = `
if redis.replicate_commands then redis.replicate_commands() end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
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
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return { allowed, tostring(tokens) }
`;

const scriptSha = createHash("sha1").update(tokenBucketScript).digest("hex");

/**
 * A rate-limit store shared by every instance through Redis: one Lua script
 * per request (EVALSHA; the script is loaded again when Redis answers
 * NOSCRIPT, after a restart or a flush). Calls run under the connection's
 * breaker; while Redis fails, buckets live in `fallback` (the limit then holds
 * per instance) and the store returns to Redis once it answers again. It
 * never throws.
 */
export function createRedisRateLimitStore(options: RedisStoreOptions): RateLimitStore {
  const { redis, fallback, perSecond, burst, logger } = options;
  if (!(perSecond > 0) || !(burst >= 1)) {
    throw new RangeError(
      `rate limit needs perSecond > 0 and burst >= 1, got ${perSecond}, ${burst}`,
    );
  }
  const prefix = options.prefix ?? `${redis.keyPrefix}:ratelimit`;
  let degraded = false;

  const evaluate = async (key: string): Promise<unknown> =>
    redis.run(async (client) => {
      const args = [scriptSha, 1, key, perSecond, burst] as const;
      try {
        return await client.evalsha(...args);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
        await client.script("LOAD", tokenBucketScript);
        return client.evalsha(...args);
      }
    });

  return {
    async take(key, nowMs) {
      let decision: RateDecision;
      try {
        decision = decide(await evaluate(`${prefix}:${key}`), { perSecond, burst });
      } catch (error) {
        if (!degraded) {
          degraded = true;
          logger?.warn({ err: error }, "rate-limit store: Redis failed; buckets kept per instance");
        }
        return fallback.take(key, nowMs);
      }
      if (degraded) {
        degraded = false;
        logger?.info("rate-limit store: Redis answers again; buckets shared");
      }
      return decision;
    },
    close: () => fallback.close(),
  };
}

/** Turns the script's reply into a decision, the way the in-memory store does. */
function decide(reply: unknown, policy: RatePolicy): RateDecision {
  const [allowedFlag, tokensText] = Array.isArray(reply) ? reply : [];
  const tokens = Number(tokensText);
  if (!Number.isFinite(tokens)) throw new TypeError("unexpected token bucket reply");
  const allowed = Number(allowedFlag) === 1;
  return {
    allowed,
    remaining: Math.floor(tokens),
    retryAfterSeconds: allowed ? 0 : Math.ceil((1 - tokens) / policy.perSecond),
    resetSeconds: Math.ceil((policy.burst - tokens) / policy.perSecond),
  };
}
