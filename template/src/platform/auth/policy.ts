import { AppError } from "../errors/index.ts";
import type { Claims } from "./claims.ts";

/**
 * Who may call a route or procedure: anyone, any authenticated caller, a
 * caller holding all the listed scopes, or one holding any of the roles.
 */
export type Access =
  | { readonly kind: "public" }
  | { readonly kind: "authenticated" }
  | { readonly kind: "scopes"; readonly all: readonly string[] }
  | { readonly kind: "roles"; readonly any: readonly string[] };

/** Anyone may call, with or without a token (the token is not even read). */
export function publicAccess(): Access {
  return { kind: "public" };
}

/** Any caller with a valid token may call. */
export function authenticated(): Access {
  return { kind: "authenticated" };
}

/** Callers whose token grants every one of these scopes may call. */
export function requireScopes(...scopes: string[]): Access {
  if (scopes.length === 0) throw new TypeError("requireScopes needs at least one scope");
  return { kind: "scopes", all: Object.freeze([...scopes]) };
}

/** Callers whose token grants at least one of these roles may call. */
export function requireRoles(...roles: string[]): Access {
  if (roles.length === 0) throw new TypeError("requireRoles needs at least one role");
  return { kind: "roles", any: Object.freeze([...roles]) };
}

/**
 * Checks verified claims against an access rule; throws `PERMISSION_DENIED`
 * naming what is missing ("missing scope items:write").
 */
export function authorize(claims: Claims, access: Access): void {
  switch (access.kind) {
    case "public":
    case "authenticated":
      return;
    case "scopes": {
      const missing = access.all.filter((scope) => !claims.scopes.has(scope));
      if (missing.length > 0) {
        const noun = missing.length === 1 ? "scope" : "scopes";
        throw new AppError("PERMISSION_DENIED", `missing ${noun} ${missing.join(" ")}`);
      }
      return;
    }
    case "roles":
      if (!access.any.some((role) => claims.roles.has(role))) {
        const noun = access.any.length === 1 ? "role" : "one of roles";
        throw new AppError("PERMISSION_DENIED", `requires ${noun} ${access.any.join(" ")}`);
      }
      return;
  }
}

/** The scopes an access rule asks for, space-separated ("" when it asks for none). */
export function scopesOf(access: Access): string {
  return access.kind === "scopes" ? access.all.join(" ") : "";
}
