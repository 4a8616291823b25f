import type { Logger } from "pino";

/** Something built at start-up that must be released at shutdown. */
export interface Resource {
  readonly name: string;
  close(): Promise<void> | void;
}

/**
 * The resources of one service in creation order. {@link closeAll} releases
 * them in reverse order, each bounded by the time left.
 */
export interface ResourceStack {
  /** Registers a resource; returns it for chaining. */
  add<T extends Resource>(resource: T): T;
  /** Closes every resource, last added first; never throws. */
  closeAll(timeoutMs: number, logger: Logger): Promise<void>;
}

/** Creates an empty resource stack. */
export function createResourceStack(): ResourceStack {
  const stack: Resource[] = [];
  let closed: Promise<void> | undefined;
  return {
    add(resource) {
      stack.push(resource);
      return resource;
    },
    closeAll(timeoutMs, logger) {
      closed ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        for (const resource of stack.toReversed()) {
          const left = Math.max(1, deadline - Date.now());
          try {
            const outcome = await withTimeout(
              Promise.resolve().then(() => resource.close()),
              left,
            );
            if (outcome === "timeout")
              logger.warn({ resource: resource.name }, "resource did not close in time");
          } catch (error) {
            logger.error({ err: error, resource: resource.name }, "resource failed to close");
          }
        }
      })();
      return closed;
    },
  };
}

/** Resolves "done" when the promise settles, or "timeout" first. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<"done" | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([promise.then(() => "done" as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
