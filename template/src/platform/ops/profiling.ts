import { createHash, timingSafeEqual } from "node:crypto";
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { AppError } from "../errors/index.ts";
import { sendProblem } from "./send-problem.ts";

/** Options of {@link createProfiler}. */
export interface ProfilingOptions {
  /** PROFILING_ENABLED: when false every profiling route answers 404 ROUTE_NOT_FOUND as if absent. */
  readonly enabled: boolean;
  /** PROFILING_TOKEN: bearer token; "" means none configured. */
  readonly token: string;
  /**
   * True when NODE_ENV is "development" (or "test"): then a missing token is
   * allowed. Outside development a request is refused (401 UNAUTHENTICATED
   * with WWW-Authenticate: Bearer) unless the token is configured AND
   * presented; if enabled outside development with no token configured, every
   * request is refused with 403 PERMISSION_DENIED.
   */
  readonly development: boolean;
  readonly logger: Logger;
  /** Upper bound on ?seconds= (default 60). */
  readonly maxSeconds?: number;
}

/** The profiling routes of the ops listener, under /debug/pprof/. */
export interface Profiler {
  /** Handles a request under /debug/pprof/; resolves false when the path is not a profiling route (the caller then answers 404). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<boolean>;
  /** Stops any running profile and disconnects the inspector session. */
  close(): Promise<void>;
}

type Route = "index" | "profile" | "heap" | "heap-sampling";

const routes: ReadonlyMap<string, Route> = new Map([
  ["/debug/pprof/", "index"],
  ["/debug/pprof/profile", "profile"],
  ["/debug/pprof/heap", "heap"],
  ["/debug/pprof/heap-sampling", "heap-sampling"],
]);

const defaultSeconds = 10;
/** Retry-After of a heap snapshot, whose length is unknown in advance. */
const snapshotRetryAfterSeconds = 5;
const clientGone = Symbol("client disconnected");
const needsToken = "profiling needs PROFILING_TOKEN outside development";

interface Running {
  /** When the timed capture ends (epoch ms); undefined for a heap snapshot. */
  readonly endsAt: number | undefined;
  readonly controller: AbortController;
  readonly done: Promise<unknown>;
}

/**
 * Creates the profiling routes: CPU profiles, heap snapshots and heap
 * sampling profiles, taken through an in-process inspector session, one at a
 * time. The composition root builds one per process; its `close()` joins the
 * service's shutdown.
 */
export function createProfiler(options: ProfilingOptions): Profiler {
  const maxSeconds = options.maxSeconds ?? 60;
  const logger = options.logger.child({ component: "profiling" });
  const expected = options.token === "" ? undefined : sha256(options.token);
  let running: Running | undefined;
  let closed = false;

  function authorize(header: string | undefined): AppError | undefined {
    const presented = bearerToken(header);
    if (expected === undefined || presented === undefined) {
      if (options.development) return undefined;
      if (expected === undefined) return new AppError("PERMISSION_DENIED", needsToken);
    } else if (timingSafeEqual(expected, sha256(presented))) {
      return undefined;
    }
    return new AppError("UNAUTHENTICATED", "a valid bearer token is required");
  }

  async function capture(route: Route, res: ServerResponse, url: URL, requestId: string) {
    if (closed) throw new AppError("UNAVAILABLE", "the profiler is closed");
    const seconds = route === "heap" ? undefined : parseSeconds(url.searchParams.get("seconds"));
    if (running) {
      const left =
        running.endsAt === undefined ? snapshotRetryAfterSeconds : running.endsAt - Date.now();
      throw new AppError("RATE_LIMITED", "a profile is already running", {
        retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)),
      });
    }
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort(clientGone);
    };
    res.once("close", onClose);
    const startedAt = new Date();
    const work =
      seconds === undefined
        ? heapSnapshot(res, controller.signal, startedAt)
        : timedProfile(route, seconds, res, controller.signal, startedAt);
    running = {
      endsAt: seconds === undefined ? undefined : startedAt.getTime() + seconds * 1000,
      controller,
      done: work.catch(() => undefined),
    };
    try {
      await work;
    } finally {
      running = undefined;
      res.off("close", onClose);
    }
    const durationMs = Date.now() - startedAt.getTime();
    const early = controller.signal.reason === clientGone;
    const fields = { route: url.pathname, seconds, durationMs, requestId };
    logger.info(fields, early ? "profiling stopped: the client disconnected" : "profiling done");
  }

  function parseSeconds(raw: string | null): number {
    if (raw === null) return Math.min(defaultSeconds, maxSeconds);
    const value = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
    if (value >= 1 && value <= maxSeconds) return value;
    throw new AppError("VALIDATION_FAILED", "invalid query parameter", {
      violations: [{ field: "seconds", description: `must be an integer from 1 to ${maxSeconds}` }],
    });
  }

  return {
    async handle(req, res, url, requestId) {
      const route = routes.get(url.pathname);
      if (route === undefined) return false;
      try {
        if (!options.enabled) throw new AppError("ROUTE_NOT_FOUND");
        if (req.method !== "GET") {
          res.setHeader("allow", "GET");
          throw new AppError("METHOD_NOT_ALLOWED");
        }
        const refusal = authorize(req.headers.authorization);
        if (refusal) {
          logger.warn({ route: url.pathname, requestId, code: refusal.code }, "profiling refused");
          throw refusal;
        }
        if (route === "index") sendJson(res, describeRoutes(maxSeconds));
        else await capture(route, res, url, requestId);
      } catch (thrown) {
        const error = AppError.from(thrown);
        if (!error.operational) {
          logger.error({ err: thrown, route: url.pathname, requestId }, "profiling failed");
        }
        sendProblem(res, error, requestId, url.pathname);
      }
      return true;
    },

    async close() {
      closed = true;
      const current = running;
      if (current === undefined) return;
      current.controller.abort(new AppError("UNAVAILABLE", "the profiler is closing"));
      await current.done;
    },
  };
}

/** Takes a CPU or heap sampling profile over `seconds`, or until aborted. */
async function timedProfile(
  route: Route,
  seconds: number,
  res: ServerResponse,
  signal: AbortSignal,
  startedAt: Date,
): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    let profile: object;
    if (route === "profile") {
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
      await wait(seconds * 1000, signal);
      ({ profile } = await session.post("Profiler.stop"));
    } else {
      await session.post("HeapProfiler.enable");
      await session.post("HeapProfiler.startSampling");
      await wait(seconds * 1000, signal);
      ({ profile } = await session.post("HeapProfiler.stopSampling"));
    }
    throwIfClosing(signal);
    if (signal.aborted) return;
    const kind = route === "profile" ? "cpu" : "heap";
    const extension = route === "profile" ? "cpuprofile" : "heapprofile";
    sendJson(res, profile, attachment(`${kind}-${stamp(startedAt)}.${extension}`));
  } finally {
    session.disconnect();
  }
}

/**
 * Takes a heap snapshot. The inspector emits every chunk within one event
 * loop turn, before the socket can drain, so writing them to the response
 * would hold the whole snapshot in memory: they are spooled to a private
 * temporary file instead, which is then streamed with backpressure.
 */
async function heapSnapshot(res: ServerResponse, signal: AbortSignal, startedAt: Date) {
  const dir = await mkdtemp(join(tmpdir(), "heap-"));
  try {
    const file = join(dir, "snapshot.heapsnapshot");
    const fd = openSync(file, "wx", 0o600);
    let size = 0;
    let writeError: unknown;
    const session = new Session();
    session.connect();
    session.on("HeapProfiler.addHeapSnapshotChunk", ({ params }) => {
      try {
        if (writeError === undefined) size += writeFully(fd, Buffer.from(params.chunk));
      } catch (error) {
        writeError = error;
      }
    });
    try {
      await session.post("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    } finally {
      session.disconnect();
      closeSync(fd);
    }
    if (writeError !== undefined) throw writeError;
    throwIfClosing(signal);
    if (signal.aborted) return;
    const name = `heap-${stamp(startedAt)}.heapsnapshot`;
    res.writeHead(200, { ...attachment(name), "content-length": size });
    await pipeline(createReadStream(file), res, { signal }).catch((error: unknown) => {
      if (!signal.aborted) throw error;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function writeFully(fd: number, bytes: Buffer): number {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  return bytes.length;
}

/** Waits `ms`, or less when the signal aborts. */
async function wait(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

function throwIfClosing(signal: AbortSignal): void {
  if (signal.reason instanceof AppError) throw signal.reason;
}

function describeRoutes(maxSeconds: number) {
  const query = `seconds=1..${maxSeconds} (default ${Math.min(defaultSeconds, maxSeconds)})`;
  return {
    routes: [
      { path: "/debug/pprof/profile", query, returns: "CPU profile (.cpuprofile)" },
      { path: "/debug/pprof/heap", returns: "heap snapshot (.heapsnapshot)" },
      { path: "/debug/pprof/heap-sampling", query, returns: "heap profile (.heapprofile)" },
    ],
  };
}

function sendJson(res: ServerResponse, value: unknown, headers: Record<string, string> = {}) {
  const body = JSON.stringify(value);
  const length = Buffer.byteLength(body);
  res.writeHead(200, { "content-type": "application/json", "content-length": length, ...headers });
  res.end(body);
}

function attachment(filename: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "content-disposition": `attachment; filename="${filename}"`,
    "cache-control": "no-store",
  };
}

/** ISO 8601 basic format (20250102T030405Z): no colons, safe in file names. */
function stamp(date: Date): string {
  return date.toISOString().replaceAll(/[-:]|\.\d+/g, "");
}

function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "")?.[1];
}

function sha256(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
