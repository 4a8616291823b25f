import type { RequestHandler, Response } from "express";
import { AppError } from "../errors/index.ts";
import { bearerCredentials } from "./bearer-token.ts";
import type { Claims } from "./claims.ts";
import { type Access, authorize, scopesOf } from "./policy.ts";
import type { TokenVerifier } from "./verifier.ts";
import "./context.ts";

/** Options of {@link httpAuth}. */
export interface HttpAuthOptions {
  /** The `realm` of the `WWW-Authenticate` challenge. Defaults to "api". */
  readonly realm?: string;
}

/** Quotes a value for an auth-param (RFC 9110 quoted-string). */
const quoted = (value: string) => `"${value.replace(/["\\]/g, "\\$&")}"`;

/**
 * The `WWW-Authenticate` challenge of a refused request (RFC 6750 §3): the
 * realm alone when no bearer token was presented, plus `error` and
 * `error_description` when one was.
 */
export function bearerChallenge(
  realm: string,
  error?: "invalid_token" | "insufficient_scope",
  description?: string,
  scope?: string,
): string {
  const params = [`realm=${quoted(realm)}`];
  if (error !== undefined) params.push(`error=${quoted(error)}`);
  if (description !== undefined) params.push(`error_description=${quoted(description)}`);
  if (scope !== undefined && scope !== "") params.push(`scope=${quoted(scope)}`);
  return `Bearer ${params.join(", ")}`;
}

/**
 * Protects a route: reads `Authorization: Bearer <token>`, verifies it,
 * checks the access rule and puts the claims on `res.locals.auth`. A public
 * rule does nothing. Refusals are thrown as `UNAUTHENTICATED` (401) or
 * `PERMISSION_DENIED` (403) for the error middleware, with the RFC 6750
 * challenge already set in `WWW-Authenticate`. The header's value is never
 * logged or echoed.
 */
export function httpAuth(
  verifier: TokenVerifier,
  access: Access,
  options: HttpAuthOptions = {},
): RequestHandler {
  const realm = options.realm ?? "api";
  if (access.kind === "public") return (_req, _res, next) => next();
  return async (req, res, next) => {
    const credentials = bearerCredentials(req.headers.authorization);
    let claims: Claims;
    if (credentials.kind === "token") {
      try {
        claims = await verifier.verify(credentials.token);
      } catch (error) {
        const appError = AppError.from(error);
        if (appError.code === "UNAUTHENTICATED") {
          res.setHeader(
            "WWW-Authenticate",
            bearerChallenge(realm, "invalid_token", appError.message),
          );
        }
        throw appError;
      }
    } else if (credentials.kind === "missing" && verifier.claimsWithoutToken !== undefined) {
      claims = verifier.claimsWithoutToken;
    } else if (credentials.kind === "malformed") {
      res.setHeader(
        "WWW-Authenticate",
        bearerChallenge(realm, "invalid_token", "malformed authorization header"),
      );
      throw new AppError("UNAUTHENTICATED", "malformed authorization header");
    } else {
      res.setHeader("WWW-Authenticate", bearerChallenge(realm));
      throw new AppError("UNAUTHENTICATED", "a bearer token is required");
    }
    try {
      authorize(claims, access);
    } catch (error) {
      const message = error instanceof Error ? error.message : "permission denied";
      res.setHeader(
        "WWW-Authenticate",
        bearerChallenge(realm, "insufficient_scope", message, scopesOf(access)),
      );
      throw error;
    }
    res.locals.auth = claims;
    next();
  };
}

/**
 * The verified claims of the current request. Throws a non-operational
 * `INTERNAL` error (a bug) on a route no {@link httpAuth} protects.
 */
export function claimsOf(res: Response): Claims {
  const claims = res.locals.auth;
  if (claims === undefined) {
    throw new AppError("INTERNAL", "claimsOf used on a route without authentication", {
      operational: false,
    });
  }
  return claims;
}

/** Turns an access rule into the middleware enforcing it; route modules receive one. */
export type HttpGuard = (access: Access) => RequestHandler;

/** Binds {@link httpAuth} to a verifier, for the composition root to hand to route modules. */
export function createHttpGuard(verifier: TokenVerifier, options: HttpAuthOptions = {}): HttpGuard {
  return (access) => httpAuth(verifier, access, options);
}
