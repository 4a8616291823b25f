import type { Request, RequestHandler, Response } from "express";
import { describe, expect, it, vi } from "vitest";
import { chainMiddleware } from "./middleware.ts";

const req = {} as Request;
const res = {} as Response;

/** A middleware that records its name and calls `next`, later when asked. */
function step(name: string, seen: string[], later = false): RequestHandler {
  return (_req, _res, next) => {
    seen.push(name);
    if (later) setImmediate(next);
    else next();
  };
}

describe("chainMiddleware", () => {
  it("when every middleware calls next then they run in order and the chain's next is called once", async () => {
    const seen: string[] = [];
    const next = vi.fn();
    chainMiddleware([step("a", seen), step("b", seen, true), step("c", seen)])(req, res, next);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(["a", "b", "c"]);
    expect(next).toHaveBeenCalledTimes(1);
    expect(next).toHaveBeenCalledWith();
  });

  it("when a middleware passes an error then the rest is skipped and the error goes to next", () => {
    const seen: string[] = [];
    const failure = new Error("refused");
    const next = vi.fn();
    const failing: RequestHandler = (_req, _res, n) => n(failure);
    chainMiddleware([step("a", seen), failing, step("c", seen)])(req, res, next);
    expect(seen).toEqual(["a"]);
    expect(next).toHaveBeenCalledWith(failure);
  });

  it("when a middleware throws then the error goes to next", () => {
    const failure = new Error("bug");
    const next = vi.fn();
    const throwing: RequestHandler = () => {
      throw failure;
    };
    chainMiddleware([throwing])(req, res, next);
    expect(next).toHaveBeenCalledWith(failure);
  });

  it("when a middleware answers without calling next then nothing after it runs", () => {
    const seen: string[] = [];
    const next = vi.fn();
    const answering: RequestHandler = () => {};
    chainMiddleware([answering, step("b", seen)])(req, res, next);
    expect(seen).toEqual([]);
    expect(next).not.toHaveBeenCalled();
  });
});
