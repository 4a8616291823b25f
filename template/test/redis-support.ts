import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { connect, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { pino } from "pino";
import {
  createRedis,
  type RedisConnection,
  type RedisConnectionOptions,
} from "../src/platform/cache/index.ts";
import { recordingMetrics } from "./fault-server.ts";

/** The shared Redis the tests use: `REDIS_URL`, else the default local port. */
export const sharedRedisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";

/** Whether a Redis answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

/** Whether `redis-server` can be started by the tests. */
export const redisServerInstalled = spawnSync("redis-server", ["--version"]).status === 0;

/**
 * Decides whether tests needing Redis run. When they cannot, it prints one
 * line naming them; in CI (`CI=true`) it throws instead, failing the file.
 */
export function redisTestsRun(available: boolean, what: string, tests: readonly string[]): boolean {
  if (available) return true;
  const line = `Redis tests skipped (${what}): ${tests.join("; ")}`;
  if (process.env.CI === "true" || process.env.CI === "1") throw new Error(`in CI, ${line}`);
  process.stdout.write(`${line}\n`);
  return false;
}

/** A random key prefix, so tests sharing a Redis never see each other's keys. */
export function testPrefix(): string {
  return `lumi-test-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix` (test clean-up). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}

/** Quiet logger for tests. */
export const silentLogger = pino({ level: "silent" });

/**
 * Connects with the production settings, pointed at `url`, with a fresh key
 * prefix unless one is given; resolves once connected (or after 2 s).
 */
export async function connectRedis(
  url: string,
  options: Partial<Omit<RedisConnectionOptions, "url" | "metrics" | "logger">> = {},
): Promise<RedisConnection> {
  const redis = createRedis({
    url,
    keyPrefix: testPrefix(),
    metrics: recordingMetrics().metrics,
    logger: silentLogger,
    ...options,
  });
  await redis.waitUntilReady(2_000);
  return redis;
}

/** A redis-server of the test's own, on a free port, that can be killed and restarted. */
export interface OwnRedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills it at once (SIGKILL), like a crash: no reply to what is in flight. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves once it answers. */
  restart(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing answers, like a hung server. */
  pause(): void;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
}

/** Starts a throwaway redis-server (no persistence) on a free local port. */
export async function startOwnRedisServer(): Promise<OwnRedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    const deadline = Date.now() + 5_000;
    while (!(await redisAnswers(url, 200))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await sleep(20);
    }
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    port,
    url,
    kill,
    restart: start,
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
  };
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
