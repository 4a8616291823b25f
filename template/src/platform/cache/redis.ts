import { Redis } from "ioredis";
import type { Logger } from "pino";
import {
  type BreakerOptions,
  type BreakerState,
  type Dependency,
  defineDependency,
  type OutboundMetrics,
  UpstreamError,
} from "../resilience/index.ts";

/** Options of {@link createRedis}. */
export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` URL; it may hold credentials, so it is never logged. */
  readonly url: string;
  /** Prefix of every key and channel written (the service name, by default). */
  readonly keyPrefix: string;
  /** A command without a reply after this long fails (ioredis `commandTimeout`); default 150. */
  readonly commandTimeoutMs?: number;
  /** A connection attempt is given up after this long; default 1,000. */
  readonly connectTimeoutMs?: number;
  /** Ceiling of the delay between reconnection attempts, which never stop; default 2,000. */
  readonly maxReconnectDelayMs?: number;
  /** The breaker shared by every Redis operation; see {@link redisBreakerDefaults}. */
  readonly breaker?: Partial<BreakerOptions>;
  /** Operations in flight at once; beyond it they fail at once (and callers fall back). */
  readonly concurrency?: number;
  /** Dependency name in metrics and logs; default `redis`. */
  readonly name?: string;
  readonly metrics: OutboundMetrics;
  readonly logger: Logger;
}

/** Breaker settings of the Redis dependency: it opens fast and tries again after 2 s. */
export const redisBreakerDefaults = {
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  windowMs: 10_000,
  openMs: 2_000,
} as const satisfies BreakerOptions;

/** Where the connection stands; `down` covers "never reached yet" after the first failure. */
export type RedisState = "connecting" | "ready" | "down" | "closed";

/** The connection's health, for logs and the ops surface; it never affects readiness. */
export interface RedisHealth {
  readonly state: RedisState;
  /** The state of the breaker every operation runs through. */
  readonly breaker: BreakerState;
  /** When `state` last changed (epoch ms). */
  readonly sinceMs: number;
  /** The last connection error, while not ready. */
  readonly lastError: string | undefined;
}

/** Receives the messages of one pub/sub channel. */
export interface ChannelListener {
  /** One message published on the channel. */
  message(text: string): void;
  /** The subscriber connection (re)connected: messages may have been missed before. */
  resync?(): void;
}

/** A Redis connection set up for a cache: never on the critical path. */
export interface RedisConnection {
  /** The command connection (fail-fast: no offline queue, no resends, short timeout). */
  readonly client: Redis;
  readonly keyPrefix: string;
  /** The policy every operation runs under: short timeout, no retries, a breaker. */
  readonly dependency: Dependency;
  /**
   * Runs one operation on the command connection under the breaker. Rejects
   * with an AppError (`UNAVAILABLE` while the breaker is open,
   * `DEADLINE_EXCEEDED`, `DEPENDENCY_FAILED`); an error reply that says
   * nothing of Redis's health (WRONGTYPE, NOSCRIPT…) is rethrown as is.
   */
  run<T>(operation: (client: Redis) => Promise<T>): Promise<T>;
  health(): RedisHealth;
  /** Resolves true once the command connection is ready, false after `timeoutMs`; never throws. */
  waitUntilReady(timeoutMs: number): Promise<boolean>;
  /**
   * Listens to a channel on a second connection, opened on first use and
   * resubscribed after every reconnection. Returns the unsubscribe function.
   */
  subscribe(channel: string, listener: ChannelListener): () => void;
  /** Closes both connections and the breaker. */
  close(): Promise<void>;
}

/** Error replies that mean Redis cannot serve right now: they count against the breaker. */
const unhealthyReplies = /^(LOADING|BUSY|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|OOM)\b/;

/**
 * Connects to Redis with settings for a cache, where failing fast beats
 * waiting: ioredis's defaults (offline queue on, 20 retries per command, no
 * command timeout) would hold requests for seconds while Redis is away.
 * Commands fail at once while disconnected and after `commandTimeoutMs`
 * when Redis is slow; the client reconnects forever, backing off to
 * `maxReconnectDelayMs`. Connecting happens in the background: Redis being
 * down at boot is no error, and the health state never affects readiness.
 */
export function createRedis(options: RedisConnectionOptions): RedisConnection {
  const name = options.name ?? "redis";
  const commandTimeoutMs = options.commandTimeoutMs ?? 150;
  const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 2_000;
  const { logger } = options;
  for (const [key, value, min] of [
    ["commandTimeoutMs", commandTimeoutMs, 1],
    ["maxReconnectDelayMs", maxReconnectDelayMs, 10],
  ] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(`${name}: ${key} must be an integer >= ${min}, got ${value}`);
    }
  }

  const client = new Redis(options.url, {
    enableOfflineQueue: false,
    // Nothing is queued offline; a command cut by a lost connection fails as soon as
    // the connection closes and is not resent (a rate-limit take must not count twice).
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: commandTimeoutMs,
    // A connection with replies outstanding and silent this long is dead (a host
    // that vanished sends no reset): drop it and reconnect.
    socketTimeout: Math.max(1_000, 5 * commandTimeoutMs),
    connectTimeout: options.connectTimeoutMs ?? 1_000,
    retryStrategy: (times) => {
      const delay = Math.min(50 * 2 ** Math.min(times - 1, 16), maxReconnectDelayMs);
      return delay + Math.floor(Math.random() * Math.min(200, delay / 4));
    },
    connectionName: `${connectionLabel(options.keyPrefix)}:commands`,
    lazyConnect: false,
  });
  let subscriber: Redis | undefined;
  const listeners = new Map<string, Set<ChannelListener>>();

  let state: RedisState = "connecting";
  let sinceMs = Date.now();
  let lastError: string | undefined;
  let everReady = false;
  let closing = false;
  const setState = (next: RedisState) => {
    if (next === state || (closing && next !== "closed")) return;
    const previous = state;
    state = next;
    sinceMs = Date.now();
    if (next === "ready") {
      lastError = undefined;
      if (previous === "down") logger.info({ dependency: name }, "redis connection restored");
      else logger.info({ dependency: name }, "redis connected");
    } else if (next === "down") {
      const message = everReady ? "redis connection lost" : "redis unreachable";
      logger.warn({ dependency: name, error: lastError }, `${message}; serving without it`);
    }
  };
  client.on("ready", () => {
    everReady = true;
    setState("ready");
  });
  client.on("error", (error: Error) => {
    lastError = error.message;
  });
  client.on("close", () => {
    setState("down");
  });
  client.on("end", () => setState("closed"));

  const dependency = defineDependency({
    name,
    // ioredis's own timeout settles the command first; the policy's is the backstop.
    timeoutMs: commandTimeoutMs + 25,
    retry: { attempts: 1, deadlineMs: commandTimeoutMs + 50 },
    breaker: { ...redisBreakerDefaults, ...options.breaker },
    concurrency: { limit: options.concurrency ?? 1_000, queue: 0 },
    metrics: options.metrics,
    logger,
  });

  const openSubscriber = (): Redis => {
    if (subscriber !== undefined) return subscriber;
    // The subscriber only ever sends SUBSCRIBE: it may queue it while offline,
    // and waits for the reply as long as it takes.
    const connection = client.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
      autoResubscribe: true,
      connectionName: `${connectionLabel(options.keyPrefix)}:subscriber`,
    });
    connection.on("error", () => {});
    connection.on("ready", () => {
      // Invalidations published while it was not listening are lost (also before
      // its first connection, when Redis was down at boot): tell the listeners.
      for (const set of listeners.values()) for (const listener of set) listener.resync?.();
    });
    connection.on("message", (channel: string, text: string) => {
      for (const listener of listeners.get(channel) ?? []) listener.message(text);
    });
    subscriber = connection;
    return connection;
  };

  return {
    client,
    keyPrefix: options.keyPrefix,
    dependency,
    run(operation) {
      return dependency.execute(
        async () => {
          try {
            return await operation(client);
          } catch (error) {
            if (isReplyError(error) && !unhealthyReplies.test(error.message)) {
              throw new UpstreamError(`${name} answered an error`, {
                fault: false,
                retryable: false,
                cause: error,
              });
            }
            throw error;
          }
        },
        { idempotent: false },
      );
    },
    health: () => ({ state, breaker: dependency.state(), sinceMs, lastError }),
    async waitUntilReady(timeoutMs) {
      if (client.status === "ready") return true;
      return new Promise<boolean>((resolve) => {
        const done = (ready: boolean) => {
          clearTimeout(timer);
          client.off("ready", onReady);
          resolve(ready);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        client.on("ready", onReady);
      });
    },
    subscribe(channel, listener) {
      const connection = openSubscriber();
      let set = listeners.get(channel);
      if (set === undefined) {
        set = new Set();
        listeners.set(channel, set);
        connection.subscribe(channel).catch((error: unknown) => {
          logger.warn({ err: error, dependency: name, channel }, "redis subscribe failed");
        });
      }
      set.add(listener);
      return () => {
        const current = listeners.get(channel);
        if (current === undefined || !current.delete(listener) || current.size > 0) return;
        listeners.delete(channel);
        if (connection.status === "ready") connection.unsubscribe(channel).catch(() => {});
      };
    },
    async close() {
      if (closing) return;
      closing = true;
      dependency.close();
      listeners.clear();
      await Promise.all(
        [client, subscriber].map(async (connection) => {
          if (connection === undefined) return;
          if (connection.status === "ready") {
            await Promise.race([
              connection.quit().catch(() => {}),
              new Promise((resolve) => setTimeout(resolve, 500).unref()),
            ]);
          }
          connection.disconnect();
        }),
      );
      setState("closed");
    },
  };
}

/** A CLIENT SETNAME value (no spaces or quotes) made from the key prefix. */
function connectionLabel(prefix: string): string {
  return prefix.replace(/[^\w.:-]/g, "_").slice(0, 64);
}

/** Tells whether an error is an error reply of the Redis server. */
function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === "ReplyError";
}
