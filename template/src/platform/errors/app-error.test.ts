import { describe, expect, it } from "vitest";
import { AppError } from "./app-error.ts";
import { errorCatalogue, errorCodes, isErrorCode } from "./catalogue.ts";
import { toProblem } from "./problem.ts";

describe("AppError", () => {
  it("when built with a code only then it takes the catalogue title and safe defaults", () => {
    const error = new AppError("NOT_FOUND");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("AppError");
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toBe("Not found");
    expect(error.operational).toBe(true);
    expect(error.violations).toEqual([]);
    expect(error.retryAfterSeconds).toBeUndefined();
    expect(error.cause).toBeUndefined();
  });

  it("when built with options then it keeps them", () => {
    const cause = new Error("socket hang up");
    const violations = [{ field: "name", description: "must not be empty" }];
    const error = new AppError("RATE_LIMITED", "slow down", {
      cause,
      operational: false,
      violations,
      retryAfterSeconds: 3,
    });
    expect(error.message).toBe("slow down");
    expect(error.cause).toBe(cause);
    expect(error.operational).toBe(false);
    expect(error.violations).toEqual(violations);
    expect(error.retryAfterSeconds).toBe(3);
  });

  it("when asked for its spec then it returns the catalogue entry", () => {
    expect(new AppError("VERSION_CONFLICT").spec).toEqual({
      status: 409,
      title: "Version conflict",
    });
  });
});

describe("AppError.from", () => {
  it("when given an AppError then it returns the same instance", () => {
    const error = new AppError("NOT_FOUND", "item x does not exist");
    expect(AppError.from(error)).toBe(error);
  });

  it("when given an Error then it wraps it as a non-operational INTERNAL keeping the cause", () => {
    const cause = new TypeError("undefined is not a function");
    const error = AppError.from(cause);
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toBe("Internal error");
    expect(error.operational).toBe(false);
    expect(error.violations).toEqual([]);
    expect(error.cause).toBe(cause);
  });

  it("when given a string then it wraps it keeping the string as cause", () => {
    const error = AppError.from("boom");
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toBe("Internal error");
    expect(error.operational).toBe(false);
    expect(error.cause).toBe("boom");
  });

  it("when given undefined then it still returns a non-operational INTERNAL", () => {
    const error = AppError.from(undefined);
    expect(error.code).toBe("INTERNAL");
    expect(error.operational).toBe(false);
    expect(error.cause).toBeUndefined();
  });
});

describe("toProblem", () => {
  it("when the error is operational then its message is the detail", () => {
    const problem = toProblem(new AppError("NOT_FOUND", "item 7 does not exist"), "req-1");
    expect(problem).toEqual({
      type: "urn:lumi:error:NOT_FOUND",
      title: "Not found",
      status: 404,
      detail: "item 7 does not exist",
      code: "NOT_FOUND",
      request_id: "req-1",
    });
    expect(Object.keys(problem)).not.toContain("instance");
    expect(Object.keys(problem)).not.toContain("errors");
  });

  it("when an instance is given then it is included", () => {
    const problem = toProblem(new AppError("ROUTE_NOT_FOUND"), "req-2", "/v1/nope");
    expect(problem.instance).toBe("/v1/nope");
    expect(problem.status).toBe(404);
    expect(problem.detail).toBe("Route not found");
  });

  it("when the error has violations then they are listed as errors", () => {
    const violations = [
      { field: "name", description: "must not be empty" },
      { field: "tags.0", description: "must contain only a-z, 0-9 and -" },
    ];
    const problem = toProblem(
      new AppError("VALIDATION_FAILED", "the request has invalid fields", { violations }),
      "req-3",
    );
    expect(problem).toEqual({
      type: "urn:lumi:error:VALIDATION_FAILED",
      title: "Validation failed",
      status: 400,
      detail: "the request has invalid fields",
      code: "VALIDATION_FAILED",
      request_id: "req-3",
      errors: violations,
    });
  });

  it("when the error is not operational then the detail is the generic title, never its message", () => {
    const error = new AppError("DEPENDENCY_FAILED", "postgres://user:pw@db refused", {
      operational: false,
      cause: new Error("ECONNREFUSED"),
    });
    const problem = toProblem(error, "req-4");
    expect(problem.detail).toBe("Dependency failed");
    expect(JSON.stringify(problem)).not.toContain("pw@db");
    expect(JSON.stringify(problem)).not.toContain("ECONNREFUSED");
  });

  it("when a wrapped unknown error is rendered then it is a generic 500", () => {
    const problem = toProblem(AppError.from(new Error("secret stack detail")), "req-5");
    expect(problem).toEqual({
      type: "urn:lumi:error:INTERNAL",
      title: "Internal error",
      status: 500,
      detail: "Internal error",
      code: "INTERNAL",
      request_id: "req-5",
    });
  });
});

describe("errorCatalogue", () => {
  it("when listed then every entry has an error status and a title", () => {
    expect(errorCodes.length).toBeGreaterThan(0);
    for (const code of errorCodes) {
      const spec = errorCatalogue[code];
      expect(spec.status, code).toBeGreaterThanOrEqual(400);
      expect(spec.status, code).toBeLessThanOrEqual(599);
      expect(spec.title.trim(), code).not.toBe("");
    }
  });

  it("when listed then every code is upper snake case and passes isErrorCode", () => {
    for (const code of errorCodes) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(isErrorCode(code)).toBe(true);
    }
  });
});

describe("isErrorCode", () => {
  it("when given a catalogue code then it is true", () => {
    expect(isErrorCode("NOT_FOUND")).toBe(true);
    expect(isErrorCode("INTERNAL")).toBe(true);
  });

  it("when given anything else then it is false, prototype keys included", () => {
    expect(isErrorCode("not_found")).toBe(false);
    expect(isErrorCode("")).toBe(false);
    expect(isErrorCode("toString")).toBe(false);
    expect(isErrorCode("__proto__")).toBe(false);
  });
});
