import type { ServiceImpl } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type Health,
  type HealthCheckResponse_ServingStatus,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/grpc/health/v1/health_pb.ts";
import type { Readiness } from "../lifecycle/index.ts";

/**
 * The standard gRPC health service (`grpc.health.v1.Health`) backed by the
 * service's readiness: SERVING while ready, NOT_SERVING while starting,
 * failing a check or draining. "" names the whole server; otherwise one of
 * `services`.
 */
export function createHealthService(
  readiness: Readiness,
  services: readonly string[],
): ServiceImpl<typeof Health> {
  const known = new Set(["", ...services]);
  const status = async (): Promise<HealthCheckResponse_ServingStatus> =>
    (await readiness.report()).ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  return {
    async check(req) {
      if (!known.has(req.service))
        throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
      return { status: await status() };
    },
    async *watch(req, context) {
      if (!known.has(req.service)) {
        yield { status: ServingStatus.SERVICE_UNKNOWN };
        return;
      }
      const changes: boolean[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = readiness.onChange((serving) => {
        changes.push(serving);
        wake?.();
      });
      const aborted = new Promise<void>((resolve) =>
        context.signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      try {
        let last = await status();
        yield { status: last };
        while (!context.signal.aborted) {
          if (changes.length === 0) {
            await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
            continue;
          }
          changes.length = 0;
          const next = await status();
          if (next !== last) {
            last = next;
            yield { status: next };
          }
        }
      } finally {
        unsubscribe();
      }
    },
  };
}
