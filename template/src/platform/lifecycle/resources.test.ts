import type { Logger } from "pino";
import { describe, expect, it, vi } from "vitest";
import { createResourceStack } from "./resources.ts";

function fakeLogger() {
  const warn = vi.fn();
  const error = vi.fn();
  return { warn, error, logger: { warn, error } as unknown as Logger };
}

describe("createResourceStack", () => {
  it("when a resource is added then it is returned as is", () => {
    const stack = createResourceStack();
    const resource = { name: "db", close: () => {}, extra: 1 };
    expect(stack.add(resource)).toBe(resource);
  });

  it("when closed then resources close in reverse order of creation", async () => {
    const stack = createResourceStack();
    const closed: string[] = [];
    for (const name of ["db", "cache", "server"]) {
      stack.add({ name, close: async () => void closed.push(name) });
    }
    const { logger, warn, error } = fakeLogger();
    await stack.closeAll(1_000, logger);
    expect(closed).toEqual(["server", "cache", "db"]);
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it("when a close throws or rejects then it is logged and the rest still close", async () => {
    const stack = createResourceStack();
    const closed: string[] = [];
    const syncFailure = new Error("sync close failed");
    const asyncFailure = new Error("async close failed");
    stack.add({ name: "first", close: () => void closed.push("first") });
    stack.add({
      name: "sync",
      close: () => {
        throw syncFailure;
      },
    });
    stack.add({ name: "async", close: () => Promise.reject(asyncFailure) });
    stack.add({ name: "last", close: () => void closed.push("last") });
    const { logger, error } = fakeLogger();
    await expect(stack.closeAll(1_000, logger)).resolves.toBeUndefined();
    expect(closed).toEqual(["last", "first"]);
    expect(error.mock.calls).toEqual([
      [{ err: asyncFailure, resource: "async" }, "resource failed to close"],
      [{ err: syncFailure, resource: "sync" }, "resource failed to close"],
    ]);
  });

  it("when a close hangs then it is bounded by the timeout and the rest still close", async () => {
    const stack = createResourceStack();
    const closed: string[] = [];
    stack.add({ name: "db", close: () => void closed.push("db") });
    stack.add({ name: "stuck", close: () => new Promise<void>(() => {}) });
    const { logger, warn } = fakeLogger();
    const started = performance.now();
    await stack.closeAll(50, logger);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(40);
    expect(elapsed).toBeLessThan(1_000);
    expect(warn).toHaveBeenCalledWith({ resource: "stuck" }, "resource did not close in time");
    expect(closed).toEqual(["db"]);
  });

  it("when closeAll is called twice then each resource closes once", async () => {
    const stack = createResourceStack();
    const close = vi.fn(async () => {});
    stack.add({ name: "db", close });
    const { logger } = fakeLogger();
    const first = stack.closeAll(1_000, logger);
    const second = stack.closeAll(1_000, logger);
    expect(second).toBe(first);
    await first;
    await stack.closeAll(1_000, logger);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it("when the stack is empty then closeAll resolves", async () => {
    const { logger } = fakeLogger();
    await expect(createResourceStack().closeAll(10, logger)).resolves.toBeUndefined();
  });
});
