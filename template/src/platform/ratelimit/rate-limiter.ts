import type { Logger } from "pino";
import {
  createMemoryRateLimitStore,
  type RateDecision,
  type RateLimitStore,
  type RatePolicy,
} from "./token-bucket.ts";

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions extends RatePolicy {
  readonly enabled: boolean;
  readonly logger: Logger;
  /** Shared store; defaults to an in-memory one. */
  readonly store?: RateLimitStore;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/** A per-client limiter shared by the HTTP and RPC listeners. */
export interface RateLimiter {
  readonly enabled: boolean;
  readonly policy: RatePolicy;
  /**
   * Takes one token for `key`; a failing store lets the request through.
   * Synchronous when the store is (the in-memory one), so the hot path
   * costs no promise.
   */
  take(key: string): RateDecision | Promise<RateDecision>;
  /** The `RateLimit-Policy` header value (IETF draft syntax). */
  readonly policyHeader: string;
  /** The `RateLimit` header value for a decision. */
  header(decision: RateDecision): string;
  close(): Promise<void>;
}

/**
 * Creates the rate limiter: a token bucket per client key. When the store
 * fails the request is allowed (the limiter protects the service; it must not
 * become an outage of its own) and the failure is logged.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const policy: RatePolicy = { perSecond: options.perSecond, burst: options.burst };
  const store = options.store ?? createMemoryRateLimitStore(policy);
  const now = options.now ?? Date.now;
  // When limiting is off or the store fails, the bucket is reported full so
  // clients honouring the headers do not back off for nothing.
  const allowAll: RateDecision = {
    allowed: true,
    remaining: policy.burst,
    retryAfterSeconds: 0,
    resetSeconds: 0,
  };
  const windowSeconds = Math.max(1, Math.ceil(policy.burst / policy.perSecond));
  return {
    enabled: options.enabled,
    policy,
    policyHeader: `"default";q=${policy.burst};w=${windowSeconds}`,
    header: (decision) => `"default";r=${decision.remaining};t=${decision.resetSeconds}`,
    take(key) {
      if (!options.enabled) return allowAll;
      const failed = (error: unknown) => {
        options.logger.warn({ err: error }, "rate-limit store failed; request allowed");
        return allowAll;
      };
      try {
        const decision = store.take(key, now());
        return decision instanceof Promise ? decision.catch(failed) : decision;
      } catch (error) {
        return failed(error);
      }
    },
    close: () => store.close(),
  };
}
