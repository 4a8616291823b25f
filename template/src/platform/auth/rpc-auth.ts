import type { DescService } from "@bufbuild/protobuf";
import { createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { AppError } from "../errors/index.ts";
import { requestIdKey } from "../rpc/context.ts";
import { toConnectError } from "../rpc/errors.ts";
import { bearerCredentials } from "./bearer-token.ts";
import type { Claims } from "./claims.ts";
import { type Access, authenticated, authorize, publicAccess } from "./policy.ts";
import type { TokenVerifier } from "./verifier.ts";

/** The verified claims of the caller of an RPC; set on protected procedures only. */
export const claimsKey = createContextKey<Claims | undefined>(undefined, {
  description: "verified claims",
});

/**
 * Access rules by `"package.Service"` or `"package.Service/Method"`; a method
 * entry overrides its service's entry.
 */
export type RpcPolicies = Readonly<Record<string, Access>>;

/** Options of {@link rpcAuth}. */
export interface RpcAuthOptions {
  /** Access of procedures no entry names. Defaults to {@link authenticated}. */
  readonly defaultAccess?: Access;
  /**
   * The services the router serves. When given, every policy key must name
   * one of them or one of their methods (checked at boot), so that a typo
   * cannot silently leave a method on its service's rule.
   */
  readonly services?: readonly DescService[];
}

/** The standard gRPC health service: public unless a policy names it. */
export const healthServiceName = "grpc.health.v1.Health";

const keyPattern = /^[A-Za-z_][\w.]*(?:\/[A-Za-z_]\w*)?$/;

/** Checks policy keys once, at boot; throws a TypeError naming the bad ones. */
function checkPolicies(policies: RpcPolicies, services: readonly DescService[] | undefined) {
  const known =
    services === undefined
      ? undefined
      : new Set(
          services.flatMap((s) => [s.typeName, ...s.methods.map((m) => `${s.typeName}/${m.name}`)]),
        );
  const bad = Object.keys(policies).filter(
    (key) => !keyPattern.test(key) || (known !== undefined && !known.has(key)),
  );
  if (bad.length > 0) throw new TypeError(`rpcAuth: unknown procedures ${bad.join(", ")}`);
}

/**
 * The authentication interceptor: finds the procedure's access rule (method
 * entry, then service entry, then the health service's public default, then
 * `defaultAccess`), reads `authorization: Bearer <token>`, verifies it,
 * checks the rule and puts the claims under {@link claimsKey}. Refusals fail
 * with `unauthenticated` or `permission_denied` and the standard error
 * details. Header values are never logged.
 */
export function rpcAuth(
  verifier: TokenVerifier,
  policies: RpcPolicies,
  options: RpcAuthOptions = {},
): Interceptor {
  checkPolicies(policies, options.services);
  const rules = new Map<string, Access>(Object.entries(policies));
  const fallback = options.defaultAccess ?? authenticated();
  const accessOf = (service: string, method: string): Access =>
    rules.get(`${service}/${method}`) ??
    rules.get(service) ??
    (service === healthServiceName ? publicAccess() : fallback);

  const claimsFor = async (header: string | null): Promise<Claims> => {
    const credentials = bearerCredentials(header);
    if (credentials.kind === "token") return verifier.verify(credentials.token);
    if (credentials.kind === "missing" && verifier.claimsWithoutToken !== undefined) {
      return verifier.claimsWithoutToken;
    }
    if (credentials.kind === "malformed") {
      throw new AppError("UNAUTHENTICATED", "malformed authorization header");
    }
    throw new AppError("UNAUTHENTICATED", "a bearer token is required");
  };

  return (next) => async (req) => {
    const access = accessOf(req.service.typeName, req.method.name);
    if (access.kind === "public") return next(req);
    try {
      const claims = await claimsFor(req.header.get("authorization"));
      authorize(claims, access);
      req.contextValues.set(claimsKey, claims);
    } catch (error) {
      throw toConnectError(error, req.contextValues.get(requestIdKey));
    }
    return next(req);
  };
}

/**
 * The verified claims of the current call. Throws a non-operational
 * `INTERNAL` error (a bug) in a procedure {@link rpcAuth} leaves public.
 */
export function claimsFrom(context: HandlerContext): Claims {
  const claims = context.values.get(claimsKey);
  if (claims === undefined) {
    throw new AppError("INTERNAL", "claimsFrom used in a procedure without authentication", {
      operational: false,
    });
  }
  return claims;
}
