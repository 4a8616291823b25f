import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  BreakerState,
  OutboundMetrics,
  OutboundOutcome,
  RejectionReason,
} from "../src/platform/resilience/index.ts";

/** What the fault server does with one request. */
export interface FaultStep {
  /** Status to answer with (200 by default). */
  readonly status?: number;
  /** Wait before acting, in ms. */
  readonly delayMs?: number;
  /** `Retry-After` header value. */
  readonly retryAfter?: string;
  readonly body?: string;
  /** Destroy the connection instead of answering (after the delay). */
  readonly reset?: boolean;
  /** Never answer. */
  readonly hang?: boolean;
}

/** One request the fault server received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** `performance.now()` on arrival. */
  readonly at: number;
}

/** A scriptable HTTP dependency on 127.0.0.1, port chosen by the OS. */
export interface FaultServer {
  readonly url: string;
  readonly requests: readonly ReceivedRequest[];
  /** Requests in flight now. */
  readonly active: number;
  /** Most requests ever in flight at once. */
  readonly maxActive: number;
  /** `performance.now()` of each request whose client closed the connection before the answer. */
  readonly clientClosedAt: readonly number[];
  /** Queues steps for the next requests, in order; then the fallback applies. */
  script(...steps: FaultStep[]): void;
  /** Sets the step used when the script is empty ({ status: 200 } at first). */
  fallback(step: FaultStep): void;
  /** Forgets requests, counters, script and fallback. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a fault-injecting HTTP server for outbound-policy tests. */
export async function startFaultServer(): Promise<FaultServer> {
  let queue: FaultStep[] = [];
  let fallbackStep: FaultStep = { status: 200 };
  let requests: ReceivedRequest[] = [];
  let clientClosedAt: number[] = [];
  let active = 0;
  let maxActive = 0;
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const step = queue.shift() ?? fallbackStep;
    requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      at: performance.now(),
    });
    active += 1;
    maxActive = Math.max(maxActive, active);
    let resetByUs = false;
    res.on("close", () => {
      active -= 1;
      if (!res.writableFinished && !resetByUs) clientClosedAt.push(performance.now());
    });
    req.resume();
    const act = () => {
      if (step.hang) return;
      if (step.reset) {
        resetByUs = true;
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = { "content-type": "text/plain" };
      if (step.retryAfter !== undefined) headers["retry-after"] = step.retryAfter;
      res.writeHead(step.status ?? 200, headers);
      res.end(step.body ?? `answer ${requests.length}`);
    };
    if (step.delayMs === undefined) act();
    else {
      const timer = setTimeout(() => {
        timers.delete(timer);
        act();
      }, step.delayMs);
      timers.add(timer);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get active() {
      return active;
    },
    get maxActive() {
      return maxActive;
    },
    get clientClosedAt() {
      return clientClosedAt;
    },
    script(...steps) {
      queue.push(...steps);
    },
    fallback(step) {
      fallbackStep = step;
    },
    reset() {
      queue = [];
      fallbackStep = { status: 200 };
      requests = [];
      clientClosedAt = [];
      maxActive = active;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a {@link recordingMetrics} recorder saw. */
export interface RecordedMetrics {
  readonly observed: { dependency: string; outcome: OutboundOutcome; seconds: number }[];
  readonly retries: string[];
  readonly states: { dependency: string; state: BreakerState }[];
  readonly rejections: { dependency: string; reason: RejectionReason }[];
}

/** An OutboundMetrics that records every call, for assertions. */
export function recordingMetrics(): { metrics: OutboundMetrics; recorded: RecordedMetrics } {
  const recorded: RecordedMetrics = { observed: [], retries: [], states: [], rejections: [] };
  return {
    recorded,
    metrics: {
      observe: (dependency, outcome, seconds) =>
        recorded.observed.push({ dependency, outcome, seconds }),
      retry: (dependency) => recorded.retries.push(dependency),
      breakerState: (dependency, state) => recorded.states.push({ dependency, state }),
      rejected: (dependency, reason) => recorded.rejections.push({ dependency, reason }),
    },
  };
}
