export type { Cache, CacheOptions, CacheSettings, Loader } from "./cache.ts";
export { cacheDefaults, createCache } from "./cache.ts";
export type { CacheLoadOutcome, CacheMetrics, CacheTier } from "./cache-metrics.ts";
export { createCacheMetrics, noopCacheMetrics } from "./cache-metrics.ts";
// lumi:begin redis
export type {
  ChannelListener,
  RedisConnection,
  RedisConnectionOptions,
  RedisHealth,
  RedisState,
} from "./redis.ts";
export { createRedis, redisBreakerDefaults } from "./redis.ts";
// lumi:end redis
export type { JsonSerializerOptions, Serializer } from "./serializer.ts";
export { jsonSerializer } from "./serializer.ts";
