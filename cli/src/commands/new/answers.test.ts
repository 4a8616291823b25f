import { describe, expect, it } from "vitest";
import { completeAnswers, validateName } from "./answers.ts";

describe("validateName", () => {
  it.each(["payments-api", "a", "svc2", "a".repeat(63)])("when %s then it is accepted", (name) => {
    expect(validateName(name)).toBe(name);
  });

  it.each([
    ["Payments", "DNS-1123"],
    ["2fast", "DNS-1123"],
    ["trailing-", "DNS-1123"],
    ["under_score", "DNS-1123"],
    ["a".repeat(64), "longer than 63"],
    ["lumi", "reserved"],
    ["default", "reserved"],
  ])("when %s then a usage error says why", (name, why) => {
    expect(() => validateName(name)).toThrow(why);
    try {
      validateName(name);
    } catch (error) {
      expect(error).toMatchObject({ type: "usage" });
    }
  });
});

describe("completeAnswers", () => {
  it("when only the owner is given then the rest defaults from its organisation", () => {
    expect(completeAnswers("orders", { owner: "@acme/orders" })).toEqual({
      name: "orders",
      rpc: true,
      database: "embedded",
      redis: true,
      owner: "@acme/orders",
      registry: "ghcr.io/acme",
      chartRepository: "oci://ghcr.io/acme/charts",
      platformRepository: "acme/lumi",
    });
  });

  it("when flags are given then they win", () => {
    expect(
      completeAnswers("orders", {
        owner: "@acme/orders",
        rpc: false,
        redis: false,
        database: "postgres",
        registry: "registry.acme.io/team",
      }),
    ).toMatchObject({
      rpc: false,
      redis: false,
      database: "postgres",
      registry: "registry.acme.io/team",
    });
  });

  it("when the owner is missing or malformed then it is a usage error", () => {
    expect(() => completeAnswers("orders", {})).toThrow("missing --owner");
    expect(() => completeAnswers("orders", { owner: "acme" })).toThrow("invalid owner");
    expect(() => completeAnswers("orders", { owner: "@acme", database: "mysql" })).toThrow(
      "invalid --database",
    );
  });
});
