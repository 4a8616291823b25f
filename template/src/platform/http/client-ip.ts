import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import proxyaddr from "proxy-addr";

/** Resolves the real client address of a request. */
export type ClientIpResolver = (req: Pick<IncomingMessage, "headers" | "socket">) => string;

/**
 * Compiles the trusted-proxy list (IPs, CIDRs, or the names loopback,
 * linklocal, uniquelocal) into a predicate for express's `trust proxy`.
 * X-Forwarded-For hops are believed only while each hop is trusted.
 */
export function compileTrust(
  trustedProxies: readonly string[],
): (addr: string, i: number) => boolean {
  return trustedProxies.length === 0 ? () => false : proxyaddr.compile([...trustedProxies]);
}

/**
 * Creates a resolver that applies the same rule as express's `req.ip`, for
 * listeners that are not express (the RPC listener).
 */
export function createClientIpResolver(trustedProxies: readonly string[]): ClientIpResolver {
  const trust = compileTrust(trustedProxies);
  return (req) => {
    const remote = req.socket.remoteAddress ?? "";
    if (trustedProxies.length === 0) return remote;
    return proxyaddr(req as IncomingMessage, trust);
  };
}

/**
 * The key a client is rate limited by: its address, with IPv6 reduced to
 * its /64 (one subscriber usually holds a whole /64).
 */
export function clientKey(ip: string): string {
  const lower = ip.toLowerCase();
  const address =
    lower.startsWith("::ffff:") && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
  // Anything that is not a valid IPv6 address (IPv4, or an unparsable
  // forwarded hop kept as is) is its own key.
  if (isIP(address) !== 6) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = address.includes("::")
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group || "0", 16).toString(16))
    .join(":")}::/64`;
}
