import { describe, expect, it } from "vitest";
import { LumiCliError } from "../../errors/index.ts";
import { nameForms, slugOf, validateKebabName, validateTitle } from "./names.ts";

/** The error a call throws. */
function failure(call: () => unknown): LumiCliError {
  try {
    call();
  } catch (error) {
    if (error instanceof LumiCliError) return error;
    throw error;
  }
  throw new Error("expected a LumiCliError");
}

describe("validateKebabName", () => {
  it.each(["orders", "payment-methods", "v2", "a", "orders-v2", "abcdefghijklmnopqrstuvwx"])(
    "when the name is %s then it is taken as it is",
    (name) => {
      expect(validateKebabName(name)).toBe(name);
    },
  );

  it.each([
    ["Orders", "kebab-case"],
    ["payment_methods", "kebab-case"],
    ["payment--methods", "kebab-case"],
    ["-orders", "kebab-case"],
    ["orders-", "kebab-case"],
    ["2fa", "kebab-case"],
    ["ordérs", "kebab-case"],
    ["", "kebab-case"],
    ["orders items", "kebab-case"],
    ["abcdefghijklmnopqrstuvwxy", "longer than 24"],
    ["routes", "reserved"],
    ["platform", "reserved"],
  ])("when the name is %j then it is a usage error saying %s", (name, reason) => {
    const error = failure(() => validateKebabName(name));
    expect(error.type).toBe("usage");
    expect(error.message).toContain(reason);
  });
});

describe("nameForms", () => {
  it("when a name has words then every spelling joins them its own way", () => {
    expect(nameForms("payment-methods-v2")).toEqual({
      kebab: "payment-methods-v2",
      pascal: "PaymentMethodsV2",
      camel: "paymentMethodsV2",
      snake: "payment_methods_v2",
      constant: "PAYMENT_METHODS_V2",
    });
  });

  it("when a name is one word then pascal and camel differ only in the first letter", () => {
    expect(nameForms("orders")).toMatchObject({ pascal: "Orders", camel: "orders" });
  });
});

describe("ADR titles", () => {
  it("when a title has spaces, case and punctuation then its slug is kebab-case", () => {
    expect(slugOf("Use PostgreSQL 17 for Orders!")).toBe("use-postgresql-17-for-orders");
    expect(slugOf("  Café & crème: déjà vu  ")).toBe("cafe-creme-deja-vu");
  });

  it("when a title is long then its slug stops at 60 characters, never on a dash", () => {
    const slug = slugOf(`${"word ".repeat(30)}`);
    expect(slug.length).toBeLessThanOrEqual(60);
    expect(slug).not.toMatch(/-$/);
  });

  it("when a title has runs of spaces then it is trimmed and they become one", () => {
    expect(validateTitle("  Use   Redis  ")).toBe("Use Redis");
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["!!!", "letter or digit"],
    ["x".repeat(101), "longer than 100"],
    ["one\u0007bell", "control characters"],
  ])("when the title is %j then it is a usage error saying %s", (title, reason) => {
    const error = failure(() => validateTitle(title));
    expect(error.type).toBe("usage");
    expect(error.message).toContain(reason);
  });
});
