import { describe, expect, it } from "vitest";
import { AppError } from "../errors/index.ts";
import { sqlStateOf, toDatabaseError } from "./database-errors.ts";

/** An error as pg and PGlite throw it: the SQLSTATE on `code`. */
function dbError(code: string, message = "boom"): Error {
  return Object.assign(new Error(message), { code });
}

describe("toDatabaseError", () => {
  it.each([
    ["23505", "ALREADY_EXISTS", true],
    ["57014", "DEADLINE_EXCEEDED", true],
    ["55P03", "DEADLINE_EXCEEDED", true],
    ["40001", "UNAVAILABLE", true],
    ["40P01", "UNAVAILABLE", true],
    ["08006", "DEPENDENCY_FAILED", true],
    ["53300", "DEPENDENCY_FAILED", true],
    ["57P01", "DEPENDENCY_FAILED", true],
    ["28P01", "DEPENDENCY_FAILED", true],
    ["3D000", "DEPENDENCY_FAILED", true],
    ["23514", "INTERNAL", false],
    ["42P01", "INTERNAL", false],
    ["22P02", "INTERNAL", false],
  ])("when the SQLSTATE is %s then the code is %s", (state, code, operational) => {
    const cause = dbError(state);
    const error = toDatabaseError(cause);
    expect(error).toMatchObject({ code, operational, cause });
  });

  it.each([
    [Object.assign(new AggregateError([], ""), { code: "ECONNREFUSED" }), "DEPENDENCY_FAILED"],
    [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), "DEPENDENCY_FAILED"],
    [new Error("Connection terminated unexpectedly"), "DEPENDENCY_FAILED"],
    [new Error("Connection terminated due to connection timeout"), "DEPENDENCY_FAILED"],
    [new Error("timeout exceeded when trying to connect"), "UNAVAILABLE"],
    [new Error("Cannot use a pool after calling end on the pool"), "UNAVAILABLE"],
    // lumi:begin embedded
    [new Error("PGlite is closed"), "UNAVAILABLE"],
    // lumi:end embedded
    [new TypeError("x is not a function"), "INTERNAL"],
  ])("when the driver throws %s then the code is %s", (cause, code) => {
    expect(toDatabaseError(cause).code).toBe(code);
  });

  it("when the failure is a bug then the message carries the SQLSTATE for the logs only", () => {
    const error = toDatabaseError(dbError("42703", 'column "nope" does not exist'));
    expect(error.message).toBe('database error 42703: column "nope" does not exist');
    expect(error.operational).toBe(false);
  });

  it("when given an AppError then it is returned as it is", () => {
    const error = new AppError("VERSION_CONFLICT");
    expect(toDatabaseError(error)).toBe(error);
  });
});

describe("sqlStateOf", () => {
  it("when the SQLSTATE is on a cause then it is found", () => {
    expect(sqlStateOf(toDatabaseError(dbError("23505")))).toBe("23505");
    expect(sqlStateOf(new Error("x"))).toBeUndefined();
    expect(sqlStateOf(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBeUndefined();
    expect(sqlStateOf("23505")).toBeUndefined();
  });
});
