export type { RateLimiter, RateLimiterOptions } from "./rate-limiter.ts";
export { createRateLimiter } from "./rate-limiter.ts";
// lumi:begin redis
export type { RedisStoreOptions } from "./redis-store.ts";
export { createRedisRateLimitStore, tokenBucketScript } from "./redis-store.ts";
// lumi:end redis
export type {
  MemoryStoreOptions,
  RateDecision,
  RateLimitStore,
  RatePolicy,
} from "./token-bucket.ts";
export { createMemoryRateLimitStore } from "./token-bucket.ts";
