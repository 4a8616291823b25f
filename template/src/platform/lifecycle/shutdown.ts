import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { Readiness } from "./readiness.ts";
import type { ResourceStack } from "./resources.ts";

/** A listener as the shutdown sees it (see platform/http `Listener`). */
export interface DrainableListener {
  readonly name: string;
  beginDrain(): void;
  close(timeoutMs: number): Promise<{ forced: number }>;
}

/** Options of {@link createShutdown}. */
export interface ShutdownOptions {
  readonly logger: Logger;
  readonly readiness: Readiness;
  /** Keep serving this long after the signal (endpoint propagation). */
  readonly drainDelayMs: number;
  /** After the delay, in-flight requests get this long; then connections are destroyed. */
  readonly timeoutMs: number;
  /** The public listeners (HTTP, RPC). */
  readonly listeners: () => readonly DrainableListener[];
  /** The ops listener, closed last so /readyz answers 503 throughout. */
  readonly opsListener: () => DrainableListener | undefined;
  readonly resources: ResourceStack;
}

/** What a shutdown did. */
export interface ShutdownReport {
  readonly reason: string;
  /** Connections destroyed at the deadline. */
  readonly forced: number;
  readonly durationMs: number;
}

/**
 * Returns the shutdown procedure: readiness 503 at once → drain delay (still
 * serving, responses carry `Connection: close`) → listeners stop accepting
 * and in-flight requests finish, force-closed at the deadline → resources
 * closed in reverse order → ops listener closed. Calling it again returns
 * the same promise: shutdown runs once.
 */
export function createShutdown(
  options: ShutdownOptions,
): (reason: string) => Promise<ShutdownReport> {
  let running: Promise<ShutdownReport> | undefined;
  const { logger } = options;

  async function run(reason: string): Promise<ShutdownReport> {
    const start = Date.now();
    logger.info(
      { reason, drain_delay_ms: options.drainDelayMs, timeout_ms: options.timeoutMs },
      "shutdown started",
    );
    options.readiness.markDraining();
    const listeners = options.listeners();
    for (const listener of listeners) listener.beginDrain();
    if (options.drainDelayMs > 0) await sleep(options.drainDelayMs);

    const reports = await Promise.all(
      listeners.map((listener) => listener.close(options.timeoutMs)),
    );
    const forced = reports.reduce((sum, report) => sum + report.forced, 0);
    await options.resources.closeAll(Math.max(1_000, options.timeoutMs / 2), logger);
    await options.opsListener()?.close(1_000);

    const report = { reason, forced, durationMs: Date.now() - start };
    logger.info(
      { reason, forced_connections: forced, duration_ms: report.durationMs },
      "shutdown complete",
    );
    return report;
  }

  return (reason) => {
    if (running !== undefined) {
      logger.info({ reason }, "shutdown already in progress; signal ignored");
      return running;
    }
    running = run(reason);
    return running;
  };
}
