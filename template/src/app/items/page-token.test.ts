import { describe, expect, it } from "vitest";
import { AppError } from "../../platform/errors/index.ts";
import { decodePageToken, encodePageToken } from "./page-token.ts";

const cursor = {
  createTime: new Date("2030-01-01T12:34:56.789Z"),
  id: "00000000-0000-4000-8000-000000000001",
};

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

describe("encodePageToken", () => {
  it("when encoding then the token is base64url JSON of [createTime, id]", () => {
    const token = encodePageToken(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(token, "base64url").toString("utf8"))).toEqual([
      "2030-01-01T12:34:56.789Z",
      "00000000-0000-4000-8000-000000000001",
    ]);
  });
});

describe("decodePageToken", () => {
  it("when given a token made by encodePageToken then it returns the same cursor", () => {
    expect(decodePageToken(encodePageToken(cursor))).toEqual(cursor);
  });

  it.each([
    ["empty", ""],
    ["not base64 JSON", "%%%"],
    ["a JSON object", base64url('{"createTime":"2030-01-01T00:00:00.000Z","id":"x"}')],
    ["one element", base64url('["2030-01-01T00:00:00.000Z"]')],
    ["three elements", base64url('["2030-01-01T00:00:00.000Z","x","y"]')],
    ["an invalid date", base64url('["not a date","x"]')],
    ["a numeric time", base64url('[0,"x"]')],
    ["a numeric id", base64url('["2030-01-01T00:00:00.000Z",7]')],
    ["JSON null", base64url("null")],
  ])("when the token is %s then VALIDATION_FAILED names pageToken", (_label, token) => {
    let caught: unknown;
    try {
      decodePageToken(token);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    const error = caught as AppError;
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.operational).toBe(true);
    expect(error.violations).toEqual([
      { field: "pageToken", description: "is not a page token returned by this API" },
    ]);
  });
});
