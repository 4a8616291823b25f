import type { CheckResult } from "../lifecycle/index.ts";

/**
 * Runs a readiness probe bounded by `timeoutMs`: a throw or a timeout is a
 * failing result whose reason names the cause (never a connection string).
 * A probe still running at the timeout finishes in the background.
 */
export async function runCheck(
  probe: () => Promise<unknown>,
  timeoutMs: number,
): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `database did not answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([probe().then((): CheckResult => ({ ok: true })), timeout]);
  } catch (error) {
    return { ok: false, reason: `database: ${describeFailure(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** A short reason: the message, or the socket code when the message is empty (AggregateError). */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (error.message !== "") return error.message;
  return typeof code === "string" ? code : error.name;
}
