export { asymmetricAlgorithms, defaultAlgorithms } from "./algorithms.ts";
export type { BearerCredentials } from "./bearer-token.ts";
export { bearerCredentials } from "./bearer-token.ts";
export type { Claims } from "./claims.ts";
export { claimsFromPayload, developmentClaims } from "./claims.ts";
export type { HttpAuthOptions, HttpGuard } from "./http-auth.ts";
export { bearerChallenge, claimsOf, createHttpGuard, httpAuth } from "./http-auth.ts";
export type { Access } from "./policy.ts";
export {
  authenticated,
  authorize,
  publicAccess,
  requireRoles,
  requireScopes,
  scopesOf,
} from "./policy.ts";
// lumi:begin rpc
export type { RpcAuthOptions, RpcPolicies } from "./rpc-auth.ts";
export { claimsFrom, claimsKey, healthServiceName, rpcAuth } from "./rpc-auth.ts";
// lumi:end rpc
export type { TokenVerifier, TokenVerifierOptions } from "./verifier.ts";
export {
  createDevelopmentVerifier,
  createTokenVerifier,
  createUnconfiguredVerifier,
} from "./verifier.ts";
