import { describe, expect, it } from "vitest";
import { requestIdFrom, requestIdHeader } from "./request-id.ts";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("requestIdFrom", () => {
  it("when the incoming id is a UUID then it is kept", () => {
    const id = "6f1c2d3e-4a5b-4c6d-8e7f-901234567890";
    expect(requestIdFrom(id)).toBe(id);
  });

  it("when the incoming id uses every allowed character class then it is kept", () => {
    expect(requestIdFrom("abc-123_x.y:z@w")).toBe("abc-123_x.y:z@w");
    expect(requestIdFrom("A")).toBe("A");
  });

  it("when the incoming id is exactly 128 characters then it is kept", () => {
    const id = "a".repeat(128);
    expect(requestIdFrom(id)).toBe(id);
  });

  it.each([
    ["empty", ""],
    ["129 characters", "a".repeat(129)],
    ["with spaces", "abc 123"],
    ["with unicode", "abc-é"],
    ["with a newline", "abc\n123"],
    ["with header injection", "abc\r\nset-cookie: x=1"],
    ["with a slash", "a/b"],
  ])("when the incoming id is invalid (%s) then a new UUID replaces it", (_label, incoming) => {
    const id = requestIdFrom(incoming);
    expect(id).toMatch(uuid);
    expect(id).not.toBe(incoming);
  });

  it("when the header is repeated (an array) then a new UUID is made", () => {
    expect(requestIdFrom(["abc", "def"])).toMatch(uuid);
  });

  it("when there is no header then a new UUID is made", () => {
    expect(requestIdFrom(undefined)).toMatch(uuid);
    expect(requestIdFrom(null)).toMatch(uuid);
  });

  it("when ids are generated then each is fresh", () => {
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });

  it("when the header name is read then it is the lower-case x-request-id", () => {
    expect(requestIdHeader).toBe("x-request-id");
  });
});
