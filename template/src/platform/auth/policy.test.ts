import { describe, expect, it } from "vitest";
import { AppError } from "../errors/index.ts";
import { type Claims, claimsFromPayload, developmentClaims } from "./claims.ts";
import {
  authenticated,
  authorize,
  publicAccess,
  requireRoles,
  requireScopes,
  scopesOf,
} from "./policy.ts";

const claims = (extra: Record<string, unknown>): Claims =>
  claimsFromPayload({ sub: "u", iss: "i", aud: "a", ...extra });

/** The PERMISSION_DENIED message an authorization throws, or undefined when allowed. */
function denial(subject: Claims, access: ReturnType<typeof publicAccess>): string | undefined {
  try {
    authorize(subject, access);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("PERMISSION_DENIED");
    return (error as AppError).message;
  }
}

describe("authorize", () => {
  it("when the rule is public or authenticated then any claims pass", () => {
    expect(denial(claims({}), publicAccess())).toBeUndefined();
    expect(denial(claims({}), authenticated())).toBeUndefined();
  });

  it("when scopes are required then all of them must be granted", () => {
    const access = requireScopes("items:read", "items:write");
    expect(denial(claims({ scope: "items:read items:write x" }), access)).toBeUndefined();
    expect(denial(claims({ scope: "items:read" }), access)).toBe("missing scope items:write");
    expect(denial(claims({}), access)).toBe("missing scopes items:read items:write");
    expect(denial(claims({ scp: ["items:write", "items:read"] }), access)).toBeUndefined();
    expect(denial(claims({ scp: "items:write items:read" }), access)).toBeUndefined();
  });

  it("when roles are required then any one of them is enough", () => {
    const access = requireRoles("admin", "owner");
    expect(denial(claims({ roles: ["owner"] }), access)).toBeUndefined();
    expect(denial(claims({ roles: ["viewer"] }), access)).toBe("requires one of roles admin owner");
    expect(denial(claims({ roles: "admin" }), requireRoles("admin"))).toBe("requires role admin");
  });

  it("when scopes or roles have the wrong type then they grant nothing", () => {
    const odd = claims({ scope: 42, scp: { a: 1 }, roles: [1, null, "", "ok"] });
    expect([...odd.scopes]).toEqual([]);
    expect([...odd.roles]).toEqual(["ok"]);
  });

  it("when the caller is the development principal then every rule passes", () => {
    expect(denial(developmentClaims, requireScopes("anything"))).toBeUndefined();
    expect(denial(developmentClaims, requireRoles("root"))).toBeUndefined();
  });
});

describe("access helpers", () => {
  it("when built then they are the declarative rules", () => {
    expect(publicAccess()).toEqual({ kind: "public" });
    expect(authenticated()).toEqual({ kind: "authenticated" });
    expect(requireScopes("a", "b")).toEqual({ kind: "scopes", all: ["a", "b"] });
    expect(requireRoles("r")).toEqual({ kind: "roles", any: ["r"] });
    expect(scopesOf(requireScopes("a", "b"))).toBe("a b");
    expect(scopesOf(authenticated())).toBe("");
  });

  it("when asked for no scope or role then they refuse, as that would grant everyone", () => {
    expect(() => requireScopes()).toThrow(TypeError);
    expect(() => requireRoles()).toThrow(TypeError);
  });
});
