/** Result of one readiness check. */
export interface CheckResult {
  readonly ok: boolean;
  /** Why the check fails; shown in the /readyz body. */
  readonly reason?: string;
}

/** A named dependency check that takes part in readiness. */
export type ReadinessCheck = () => Promise<CheckResult> | CheckResult;

/** The /readyz answer. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly status: "ready" | "starting" | "draining" | "not_ready";
  readonly checks: Record<string, string>;
}

/** Whether the service should receive traffic, and why not. */
export interface Readiness {
  /** Marks start-up complete: the listeners are bound. */
  markStarted(): void;
  /** Marks the service as draining; it never becomes ready again. */
  markDraining(): void;
  readonly draining: boolean;
  /** Adds a check; a failing check makes the service not ready. */
  addCheck(name: string, check: ReadinessCheck): void;
  /** Runs every check (each bounded by the timeout) and reports. */
  report(): Promise<ReadinessReport>;
  /** Subscribes to changes of the serving state; returns an unsubscribe. */
  onChange(listener: (serving: boolean) => void): () => void;
}

/** Options of {@link createReadiness}. */
export interface ReadinessOptions {
  /** Upper bound on each check, in ms. */
  readonly checkTimeoutMs?: number;
}

/** Creates the readiness state of one service instance. */
export function createReadiness(options: ReadinessOptions = {}): Readiness {
  const checkTimeoutMs = options.checkTimeoutMs ?? 1_000;
  const checks = new Map<string, ReadinessCheck>();
  const listeners = new Set<(serving: boolean) => void>();
  let started = false;
  let draining = false;
  const notify = (serving: boolean) => {
    for (const listener of listeners) listener(serving);
  };

  return {
    markStarted() {
      started = true;
      if (!draining) notify(true);
    },
    markDraining() {
      if (draining) return;
      draining = true;
      notify(false);
    },
    get draining() {
      return draining;
    },
    addCheck(name, check) {
      checks.set(name, check);
    },
    async report() {
      if (draining) return { ready: false, status: "draining", checks: {} };
      if (!started) return { ready: false, status: "starting", checks: {} };
      const results: Record<string, string> = {};
      let ready = true;
      await Promise.all(
        [...checks].map(async ([name, check]) => {
          const result = await runCheck(check, checkTimeoutMs);
          results[name] = result.ok ? "ok" : `failing: ${result.reason ?? "unknown"}`;
          if (!result.ok) ready = false;
        }),
      );
      return { ready, status: ready ? "ready" : "not_ready", checks: results };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Runs one check, turning a throw or a timeout into a failing result. */
async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
