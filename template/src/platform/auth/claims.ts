import type { JWTPayload } from "jose";
import { AppError } from "../errors/index.ts";

/** The verified identity of a caller: who it is, who vouches for it, and what it may do. */
export interface Claims {
  /** The subject (`sub`): the user or client the token was issued to. */
  readonly sub: string;
  /** The issuer (`iss`), one of the accepted issuers. */
  readonly iss: string;
  /** The audience (`aud`), which includes one of the accepted audiences. */
  readonly aud: string | readonly string[];
  /** Scopes granted, from `scope` (space-separated) and `scp` (array or space-separated). */
  readonly scopes: ReadonlySet<string>;
  /** Roles granted, from the `roles` array. */
  readonly roles: ReadonlySet<string>;
  /** Every claim of the verified token, for application-specific ones. */
  readonly raw: JWTPayload;
}

/** Adds the words of a space-separated string, or the strings of an array, to a set. */
function addNames(into: Set<string>, value: unknown): void {
  const names = typeof value === "string" ? value.split(" ") : Array.isArray(value) ? value : [];
  for (const name of names) if (typeof name === "string" && name !== "") into.add(name);
}

/**
 * Builds the claims of a verified payload. Scopes and roles of an unexpected
 * type are ignored (they grant nothing); a `sub`, `iss` or `aud` of the wrong
 * type makes the token malformed.
 */
export function claimsFromPayload(payload: JWTPayload): Claims {
  const { sub = "", iss, aud } = payload;
  const audOk =
    typeof aud === "string" || (Array.isArray(aud) && aud.every((a) => typeof a === "string"));
  if (typeof sub !== "string" || typeof iss !== "string" || !audOk) {
    throw new AppError("UNAUTHENTICATED", "malformed token");
  }
  const scopes = new Set<string>();
  addNames(scopes, payload.scope);
  addNames(scopes, payload.scp);
  const roles = new Set<string>();
  if (Array.isArray(payload.roles)) addNames(roles, payload.roles);
  return { sub, iss, aud, scopes, roles, raw: payload };
}

/**
 * A set that answers `has` with true for every name while listing none: the
 * scopes and roles of the development principal, which may do anything.
 */
function everything(): ReadonlySet<string> {
  const set = new Set<string>();
  // An own property shadows Set.prototype.has; iteration stays empty.
  Object.defineProperty(set, "has", { value: () => true });
  return Object.freeze(set);
}

/**
 * The principal of the development verifier: subject "developer", holding
 * every scope and every role. Never used outside development.
 */
export const developmentClaims: Claims = Object.freeze({
  sub: "developer",
  iss: "development",
  aud: "development",
  scopes: everything(),
  roles: everything(),
  raw: Object.freeze({ sub: "developer", iss: "development", aud: "development" }),
});
