import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type TestService } from "./harness.ts";

const headersTimeoutMs = 1_000;
const checkIntervalMs = 200;
const slowSockets = 50;
const trickleEveryMs = 300;
/** The whole scenario gives up after this long, whatever happens. */
const scenarioLimitMs = 5_000;

let svc: TestService;

beforeAll(async () => {
  svc = await startService({
    SERVER_HEADERS_TIMEOUT_MS: String(headersTimeoutMs),
    SERVER_REQUEST_TIMEOUT_MS: "2000",
    SERVER_CONNECTIONS_CHECK_INTERVAL_MS: String(checkIntervalMs),
    RATE_LIMIT_ENABLED: "false",
  });
});

afterAll(async () => {
  await svc?.stop();
});

/** What happened to one slow connection, in ms since it connected. */
interface SlowOutcome {
  status: number | undefined;
  closedAfterMs: number | undefined;
}

/**
 * Opens a connection that sends a request line and then one header byte
 * every {@link trickleEveryMs}, ignoring the server's FIN (half-open), so
 * only a server that really closes the socket ends it.
 */
function slowClient(port: number, sockets: Socket[]): Promise<SlowOutcome> {
  return new Promise((resolve) => {
    const outcome: SlowOutcome = { status: undefined, closedAfterMs: undefined };
    const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    sockets.push(socket);
    let connectedAt = Date.now();
    let received = "";
    let trickle: NodeJS.Timeout | undefined;
    socket.once("connect", () => {
      connectedAt = Date.now();
      socket.write("GET /v1/items HTTP/1.1\r\nHost: slow\r\nX-Slow: ");
      trickle = setInterval(() => {
        if (socket.writable) socket.write("a");
      }, trickleEveryMs);
    });
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
      outcome.status ??= Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]);
    });
    socket.on("error", () => {
      // The server resetting a half-closed connection is the expected end.
    });
    socket.once("close", () => {
      clearInterval(trickle);
      outcome.closedAfterMs = Date.now() - connectedAt;
      resolve(outcome);
    });
    setTimeout(() => socket.destroy(), scenarioLimitMs).unref();
  });
}

describe("slow headers (slowloris)", () => {
  it("when 50 sockets trickle header bytes, then each gets 408 and is closed within headersTimeout + check interval, while normal traffic gets only 2xx", async () => {
    const sockets: Socket[] = [];
    const slow = Promise.all(
      Array.from({ length: slowSockets }, () => slowClient(svc.ports.http, sockets)),
    );
    let slowDone = false;
    void slow.then(() => {
      slowDone = true;
    });

    const statuses: number[] = [];
    const failures: string[] = [];
    const started = Date.now();
    const normalClient = async () => {
      while (!slowDone && Date.now() - started < scenarioLimitMs && statuses.length < 2_000) {
        try {
          const res = await fetch(`${svc.httpUrl}/v1/items`);
          await res.arrayBuffer();
          statuses.push(res.status);
        } catch (error) {
          failures.push(String(error));
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await Promise.all([normalClient(), normalClient(), normalClient(), normalClient()]);
    const outcomes = await slow;
    for (const socket of sockets) socket.destroy();

    expect(failures).toEqual([]);
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((status) => status < 200 || status > 299)).toEqual([]);

    expect(outcomes.map((o) => o.status)).toEqual(Array(slowSockets).fill(408));
    const closedAfter = outcomes.map((o) => o.closedAfterMs ?? Number.POSITIVE_INFINITY);
    expect(Math.min(...closedAfter)).toBeGreaterThanOrEqual(headersTimeoutMs - 100);
    expect(Math.max(...closedAfter)).toBeLessThanOrEqual(2_000);

    expect((await fetch(`${svc.httpUrl}/v1/items`)).status).toBe(200);
  });
});
