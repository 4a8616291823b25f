import http from "node:http";

/** Outcome counts of a load run. */
export interface LoadReport {
  ok: number;
  failed: number;
  errors: string[];
  /** Responses that carried `Connection: close`. */
  connectionClose: number;
}

/** One GET over a keep-alive agent; resolves with status and the Connection header. */
export function get(
  agent: http.Agent,
  url: string,
): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.once("end", () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }),
      );
      res.once("error", reject);
    });
    req.once("error", reject);
  });
}

/**
 * Runs `concurrency` loops of keep-alive GETs until `shouldStop()` says so,
 * counting successes, failures and `Connection: close` responses. Bounded
 * by `maxMs` whatever happens.
 */
export async function runHttpLoad(options: {
  url: string;
  concurrency: number;
  shouldStop: () => boolean;
  maxMs: number;
}): Promise<LoadReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const report: LoadReport = { ok: 0, failed: 0, errors: [], connectionClose: 0 };
  const until = Date.now() + options.maxMs;
  const loop = async () => {
    while (!options.shouldStop() && Date.now() < until) {
      try {
        const res = await get(agent, options.url);
        if (res.status === 200) report.ok++;
        else {
          report.failed++;
          report.errors.push(`status ${res.status}`);
        }
        if (res.connection === "close") report.connectionClose++;
      } catch (error) {
        report.failed++;
        report.errors.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  agent.destroy();
  return report;
}
