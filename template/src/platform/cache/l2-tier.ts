import type { Logger } from "pino";
import type { CacheMetrics } from "./cache-metrics.ts";
import { absent, entryBytes, present } from "./entry.ts";
import type { RedisConnection } from "./redis.ts";
import type { Serializer } from "./serializer.ts";

/** Options of {@link createL2Tier}. */
export interface L2TierOptions<T> {
  readonly redis: RedisConnection;
  /** The cache's name: a key and channel part. */
  readonly name: string;
  readonly serializer: Serializer<T>;
  readonly metrics: CacheMetrics;
  readonly logger: Logger;
  /** Identifies this cache instance in the invalidations it publishes. */
  readonly instanceId: string;
}

/** An entry read from L2. */
export interface StoredEntry<T> {
  /** `undefined`: a cached "not found". */
  readonly value: T | undefined;
  /** Serialised size of key and value, for the L1 byte bound. */
  readonly bytes: number;
  /** What is left of the entry's life in Redis, in ms. */
  readonly remainingMs: number;
}

/**
 * A cache's view of Redis: entries under `<prefix>:<name>:v<version>:<key>`,
 * invalidations on `<prefix>:<name>:invalidations`. No operation throws: a
 * failure is counted (`lumi_cache_errors_total{tier="l2"}`) and the cache
 * carries on with L1 and the loader. Internal to the cache area.
 */
export interface L2Tier<T> {
  /** Reads an entry; undefined when absent, unreadable or when Redis fails. */
  read(key: string): Promise<StoredEntry<T> | undefined>;
  /** Writes an encoded entry in the background. */
  write(key: string, text: string, ttlMs: number): void;
  /** Deletes the entry (this version and the previous one) and publishes its invalidation. */
  remove(key: string): Promise<void>;
  /** Listens to the other instances' invalidations; returns the unsubscribe function. */
  listen(evict: (key: string) => void, resync: () => void): () => void;
}

/** Creates a cache's L2 tier on a Redis connection. */
export function createL2Tier<T>(options: L2TierOptions<T>): L2Tier<T> {
  const { redis, name, serializer, metrics, logger, instanceId } = options;
  const base = `${redis.keyPrefix}:${name}`;
  const keyOf = (key: string, version = serializer.version) => `${base}:v${version}:${key}`;
  const channel = `${base}:invalidations`;

  return {
    async read(key) {
      const id = keyOf(key);
      let text: string | null;
      let remainingMs: number;
      try {
        [text, remainingMs] = await redis.run((client) =>
          Promise.all([client.get(id), client.pttl(id)]),
        );
      } catch (error) {
        metrics.error(name, "l2");
        logger.debug({ err: error, cache: name }, "cache L2 read failed; reading the source");
        return undefined;
      }
      if (text === null) {
        metrics.miss(name, "l2");
        return undefined;
      }
      try {
        if (!text.startsWith(present) && text !== absent) throw new Error("unknown entry marker");
        const value = text === absent ? undefined : serializer.deserialize(text.slice(1));
        metrics.hit(name, "l2");
        // -1: written without expiry (not by a cache), so L1's TTL alone applies;
        // -2: expired since the GET, a rare race.
        const lifeMs =
          remainingMs > 0 ? remainingMs : remainingMs === -1 ? Number.POSITIVE_INFINITY : 1;
        return { value, bytes: entryBytes(key, text), remainingMs: lifeMs };
      } catch (error) {
        metrics.error(name, "l2");
        logger.warn({ err: error, cache: name }, "cache L2 entry unreadable; reloading it");
        return undefined;
      }
    },
    write(key, text, ttlMs) {
      redis
        .run((client) => client.set(keyOf(key), text, "PX", ttlMs))
        .catch((error: unknown) => {
          metrics.error(name, "l2");
          logger.debug({ err: error, cache: name }, "cache L2 write failed");
        });
    },
    async remove(key) {
      // The previous version's entry too: instances still running it during a
      // rolling deploy must not keep serving what this write replaced.
      const ids = [keyOf(key)];
      if (serializer.version > 1) ids.push(keyOf(key, serializer.version - 1));
      const message = JSON.stringify({ from: instanceId, key });
      try {
        await redis.run((client) =>
          Promise.all([client.del(...ids), client.publish(channel, message)]),
        );
      } catch (error) {
        metrics.error(name, "l2");
        logger.warn(
          { err: error, cache: name },
          "cache invalidation did not reach Redis; other instances keep their copy until it expires",
        );
      }
    },
    listen(evict, resync) {
      return redis.subscribe(channel, {
        message(text) {
          const message = parseInvalidation(text);
          if (message !== undefined && message.from !== instanceId) evict(message.key);
        },
        resync,
      });
    },
  };
}

/** Reads an invalidation message; undefined when it is not one. */
function parseInvalidation(text: string): { from: string; key: string } | undefined {
  try {
    const message: unknown = JSON.parse(text);
    if (
      typeof message === "object" &&
      message !== null &&
      "from" in message &&
      "key" in message &&
      typeof message.from === "string" &&
      typeof message.key === "string"
    ) {
      return { from: message.from, key: message.key };
    }
  } catch {
    // Not an invalidation: ignored.
  }
  return undefined;
}
