import { Code, createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  Health,
  type HealthCheckResponse_ServingStatus,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../src/gen/grpc/health/v1/health_pb.ts";
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
import { type RpcTransportName, rpcFailure, useRpcService } from "./harness.ts";

const rpc = useRpcService({ RATE_LIMIT_ENABLED: "false" });

const health = (name: RpcTransportName) => createClient(Health, rpc.transports.get(name));
const viaTransports: readonly RpcTransportName[] = [
  "grpc h2 binary",
  "connect h1 json",
  "connect h2 binary",
];

/** A Watch call whose statuses are collected as they arrive. */
function watch(name: RpcTransportName, service: string) {
  const abort = new AbortController();
  const statuses: HealthCheckResponse_ServingStatus[] = [];
  const waiters: (() => void)[] = [];
  const done = (async () => {
    try {
      for await (const res of health(name).watch({ service }, { signal: abort.signal })) {
        statuses.push(res.status);
        for (const wake of waiters.splice(0)) wake();
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  /** Resolves once `count` statuses arrived (or fails after a second). */
  const received = async (count: number) => {
    const deadline = Date.now() + 1_000;
    while (statuses.length < count && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return statuses.slice();
  };
  return { statuses, received, done, stop: () => abort.abort() };
}

// Draining is one-way, so the checks run first and the drain comes last.
describe.each(viaTransports)("grpc.health.v1.Health/Check over %s", (name) => {
  it.each(["", ItemService.typeName])(
    'when service "%s" is checked while ready then it is SERVING',
    async (service) => {
      expect((await health(name).check({ service })).status).toBe(ServingStatus.SERVING);
    },
  );

  it("when an unknown service is checked then it fails with not_found", async () => {
    const err = await rpcFailure(health(name).check({ service: "no.such.Service" }));
    expect(err.code).toBe(Code.NotFound);
  });

  it("when an unknown service is watched then the stream says SERVICE_UNKNOWN and ends", async () => {
    const call = watch(name, "no.such.Service");
    await call.done;
    expect(call.statuses).toEqual([ServingStatus.SERVICE_UNKNOWN]);
  });
});

describe("grpc.health.v1.Health/Watch", () => {
  it("when the service starts draining then every watcher gets SERVING first, then NOT_SERVING", async () => {
    const watchers = [
      watch("grpc h2 binary", ""),
      watch("grpc h2 json", ItemService.typeName),
      watch("connect h1 json", ""),
      watch("connect h2 binary", ItemService.typeName),
    ];
    try {
      for (const w of watchers) expect(await w.received(1)).toEqual([ServingStatus.SERVING]);
      rpc.svc.service.readiness.markDraining();
      for (const w of watchers) {
        expect(await w.received(2)).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
      }
      // Nothing else arrives while the state stays the same.
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const w of watchers) expect(w.statuses).toHaveLength(2);
    } finally {
      for (const w of watchers) w.stop();
      await Promise.all(watchers.map((w) => w.done));
    }
    const check = await health("grpc h2 binary").check({ service: "" });
    expect(check.status).toBe(ServingStatus.NOT_SERVING);
  });
});
