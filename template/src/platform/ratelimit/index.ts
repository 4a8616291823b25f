export type { RateLimiter, RateLimiterOptions } from "./rate-limiter.ts";
export { createRateLimiter } from "./rate-limiter.ts";
export type {
  MemoryStoreOptions,
  RateDecision,
  RateLimitStore,
  RatePolicy,
} from "./token-bucket.ts";
export { createMemoryRateLimitStore } from "./token-bucket.ts";
