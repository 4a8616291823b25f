import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { propagation } from "@opentelemetry/api";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { recordingMetrics } from "../../../test/fault-server.ts";
import { ItemService } from "../../gen/lumi/template/v1/items_pb.ts";
import { AppError } from "../errors/index.ts";
import { type ConnectClient, createConnectClient } from "./connect-client.ts";
import { type Dependency, type DependencyOptions, defineDependency } from "./dependency.ts";
import { UpstreamError } from "./upstream-error.ts";

type Method = "getItem" | "createItem" | "deleteItem";

/** Errors each method throws, in order, before it starts answering normally. */
const failures: Record<Method, ConnectError[]> = { getItem: [], createItem: [], deleteItem: [] };
const calls: Record<Method, number> = { getItem: 0, createItem: 0, deleteItem: 0 };
const deadlines: (number | undefined)[] = [];
/** The `traceparent` each GetItem request carried, by item id. */
const traceparents = new Map<string, string | undefined>();

const step = (method: Method, timeoutMs?: number) => {
  calls[method] += 1;
  deadlines.push(timeoutMs);
  const error = failures[method].shift();
  if (error !== undefined) throw error;
};

let server: http2.Http2Server;
let baseUrl: string;
const opened: { dependency: Dependency; connect: ConnectClient<typeof ItemService> }[] = [];

beforeAll(async () => {
  server = http2.createServer(
    connectNodeAdapter({
      routes: (router) =>
        router.service(ItemService, {
          async getItem(request, context) {
            traceparents.set(request.id, context.requestHeader.get("traceparent") ?? undefined);
            step("getItem", context.timeoutMs());
            return { item: { id: request.id, name: "lamp", version: 1n } };
          },
          async createItem(request, context) {
            step("createItem", context.timeoutMs());
            return { item: { id: "new", name: request.name, version: 1n } };
          },
          async deleteItem(_request, context) {
            step("deleteItem", context.timeoutMs());
            return {};
          },
        }),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  for (const method of Object.keys(calls) as Method[]) {
    calls[method] = 0;
    failures[method] = [];
  }
  deadlines.length = 0;
});
afterEach(async () => {
  for (const { dependency, connect } of opened.splice(0)) {
    connect.close();
    dependency.close();
  }
  // Lets a request of an abandoned call reach the server before the next test counts calls.
  await sleep(20);
});

function setup(options: Partial<Omit<DependencyOptions, "metrics" | "logger">> = {}) {
  const { metrics, recorded } = recordingMetrics();
  const dependency = defineDependency({
    name: "items",
    baseUrl,
    timeoutMs: 300,
    retry: { attempts: 3, baseDelayMs: 5 },
    breaker: { minimumCalls: 4, openMs: 1_000 },
    ...options,
    metrics,
    logger: pino({ level: "silent" }),
  });
  const connect = createConnectClient(dependency, ItemService, { httpVersion: "2" });
  opened.push({ dependency, connect });
  return { dependency, client: connect.client, connect, recorded };
}

const unavailable = () => new ConnectError("try later", Code.Unavailable);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("createConnectClient", () => {
  it("when GetItem (NO_SIDE_EFFECTS) is unavailable once then it is retried and succeeds", async () => {
    const { client, recorded } = setup();
    failures.getItem.push(unavailable());
    const response = await client.getItem({ id: "7" });
    expect(response.item?.name).toBe("lamp");
    expect(calls.getItem).toBe(2);
    expect(recorded.retries).toEqual(["items"]);
  });

  it("when CreateItem (no idempotency level) is unavailable then it is not retried", async () => {
    const { client } = setup();
    failures.createItem.push(unavailable());
    const error = await rejection(client.createItem({ name: "lamp" }));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("DEPENDENCY_FAILED");
    const cause = (error as AppError).cause as UpstreamError;
    expect(cause).toBeInstanceOf(UpstreamError);
    expect(cause.message).toBe("items answered Unavailable");
    expect((cause.cause as ConnectError).code).toBe(Code.Unavailable);
    expect(calls.createItem).toBe(1);
  });

  it("when CreateItem carries an Idempotency-Key then it is retried", async () => {
    const { client } = setup();
    failures.createItem.push(unavailable());
    const response = await client.createItem(
      { name: "lamp" },
      { headers: { "Idempotency-Key": "create-lamp-1" } },
    );
    expect(response.item?.id).toBe("new");
    expect(calls.createItem).toBe(2);
  });

  it("when DeleteItem (IDEMPOTENT) exceeds its deadline upstream then it is retried", async () => {
    const { client } = setup();
    failures.deleteItem.push(new ConnectError("slow", Code.DeadlineExceeded));
    await client.deleteItem({ id: "7" });
    expect(calls.deleteItem).toBe(2);
  });

  it("when the answer is not_found then the ConnectError passes through, unretried and uncounted", async () => {
    const { client, dependency } = setup();
    for (let call = 0; call < 6; call++) {
      failures.getItem.push(new ConnectError("no item 7", Code.NotFound));
      const error = await rejection(client.getItem({ id: "7" }));
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.NotFound);
    }
    expect(calls.getItem).toBe(6);
    expect(dependency.state()).toBe("closed");
  });

  it("when resource_exhausted carries retry-after then it is retried, and without it passes through", async () => {
    const { client } = setup();
    failures.getItem.push(
      new ConnectError("slow down", Code.ResourceExhausted, { "retry-after": "0" }),
    );
    await client.getItem({ id: "7" });
    expect(calls.getItem).toBe(2);

    failures.getItem.push(new ConnectError("slow down", Code.ResourceExhausted));
    const error = await rejection(client.getItem({ id: "7" }));
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
    expect(calls.getItem).toBe(3);
  });

  it("when internal errors reach the threshold then the breaker opens and no call reaches the service", async () => {
    const { client, dependency } = setup();
    for (let call = 0; call < 4; call++) {
      failures.createItem.push(new ConnectError("boom", Code.Internal));
      await rejection(client.createItem({ name: "lamp" }));
    }
    expect(dependency.state()).toBe("open");
    const error = await rejection(client.getItem({ id: "7" }));
    expect((error as AppError).code).toBe("UNAVAILABLE");
    expect(calls.getItem).toBe(0);
  });

  it("when a call is made then each attempt sends its remaining time as the upstream deadline", async () => {
    const { client } = setup();
    failures.getItem.push(unavailable());
    await client.getItem({ id: "7" }, { timeoutMs: 200 });
    expect(deadlines).toHaveLength(2);
    const [first, second] = deadlines as [number, number];
    expect(first).toBeGreaterThan(150);
    expect(first).toBeLessThanOrEqual(200);
    expect(second).toBeLessThan(first);
  });

  it("when the call's own timeout passes then it fails with DEADLINE_EXCEEDED", async () => {
    const { client } = setup();
    const start = performance.now();
    failures.getItem.push(unavailable(), unavailable(), unavailable());
    const error = await rejection(client.getItem({ id: "7" }, { timeoutMs: 1 }));
    expect(["DEADLINE_EXCEEDED", "DEPENDENCY_FAILED"]).toContain((error as AppError).code);
    expect(performance.now() - start).toBeLessThan(100);
  });

  it("when a propagator is registered then each request carries the trace context", async () => {
    const { client } = setup();
    propagation.setGlobalPropagator({
      inject: (_context, carrier, setter) => setter.set(carrier, "traceparent", "00-test-01"),
      extract: (parent) => parent,
      fields: () => ["traceparent"],
    });
    try {
      await client.getItem({ id: "traced" });
    } finally {
      propagation.disable();
    }
    await client.getItem({ id: "untraced" });
    expect(traceparents.get("traced")).toBe("00-test-01");
    expect(traceparents.get("untraced")).toBeUndefined();
  });

  it("when closed then its HTTP/2 connection is released", async () => {
    const sockets = () =>
      process.getActiveResourcesInfo().filter((name) => name === "TCPSocketWrap").length;
    await sleep(20);
    const baseline = sockets();
    const { client, connect } = setup();
    await client.getItem({ id: "7" });
    expect(sockets()).toBeGreaterThan(baseline);
    connect.close();
    await vi.waitFor(() => expect(sockets()).toBeLessThanOrEqual(baseline), { timeout: 1_000 });
  });
});
