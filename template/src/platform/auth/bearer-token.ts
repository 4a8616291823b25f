/** Outcome of reading an `Authorization` header. */
export type BearerCredentials =
  | { readonly kind: "missing" }
  | { readonly kind: "other-scheme" }
  | { readonly kind: "malformed" }
  | { readonly kind: "token"; readonly token: string };

/**
 * RFC 6750 credentials: the scheme (any case), one or more spaces, then
 * exactly one b64token.
 */
const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Reads a bearer token from an `Authorization` header value. Never logs or
 * echoes the value: callers get the token or why there is none.
 */
export function bearerCredentials(header: string | null | undefined): BearerCredentials {
  if (header === undefined || header === null || header.trim() === "") return { kind: "missing" };
  const value = header.trim();
  const match = bearerPattern.exec(value);
  if (match?.[1] !== undefined) return { kind: "token", token: match[1] };
  return /^Bearer(?: |$)/i.test(value) ? { kind: "malformed" } : { kind: "other-scheme" };
}
