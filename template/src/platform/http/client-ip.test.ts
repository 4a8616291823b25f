import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientKey, compileTrust, createClientIpResolver } from "./client-ip.ts";

/** A request carrying only what the resolver reads. */
function request(
  remoteAddress: string | undefined,
  forwardedFor?: string,
): Pick<IncomingMessage, "headers" | "socket"> {
  const headers = forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor };
  return { headers, socket: { remoteAddress } } as unknown as Pick<
    IncomingMessage,
    "headers" | "socket"
  >;
}

describe("clientKey", () => {
  it("when given IPv4 then the address is the key", () => {
    expect(clientKey("1.2.3.4")).toBe("1.2.3.4");
    expect(clientKey("203.0.113.9")).toBe("203.0.113.9");
  });

  it("when given IPv4-mapped IPv6 then the IPv4 address is the key", () => {
    expect(clientKey("::ffff:1.2.3.4")).toBe("1.2.3.4");
  });

  it("when given full and compressed IPv6 of one /64 then both reduce to the same key", () => {
    expect(clientKey("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:2::9")).toBe("2001:db8:1:2::/64");
  });

  it("when IPv6 groups have leading zeros or upper case then the key is normalised", () => {
    expect(clientKey("2001:0DB8:0001:0002:0000:0000:0000:0001")).toBe("2001:db8:1:2::/64");
  });

  it("when the compression falls inside the /64 then the missing groups are zero", () => {
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("2001:db8::")).toBe("2001:db8:0:0::/64");
  });

  it("when given loopback ::1 then its /64 is all zeros", () => {
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
  });

  it("when two addresses differ outside the /64 prefix then the keys differ", () => {
    expect(clientKey("2001:db8:1:2::1")).not.toBe(clientKey("2001:db8:1:3::1"));
  });
});

describe("clientKey with malformed or unusual input", () => {
  it("when a forwarded hop is not an address then it is its own key and nothing throws", () => {
    expect(clientKey("1:2:3:4:5:6:7:8:9::")).toBe("1:2:3:4:5:6:7:8:9::");
    expect(clientKey("not-an-ip")).toBe("not-an-ip");
  });

  it("when the IPv4-mapped prefix is upper case then the IPv4 address is the key", () => {
    expect(clientKey("::FFFF:1.2.3.4")).toBe("1.2.3.4");
  });
});

describe("compileTrust", () => {
  it("when no proxies are trusted then nothing is trusted", () => {
    const trust = compileTrust([]);
    expect(trust("127.0.0.1", 0)).toBe(false);
  });

  it("when loopback and a CIDR are trusted then only those match", () => {
    const trust = compileTrust(["loopback", "10.0.0.0/8"]);
    expect(trust("127.0.0.1", 0)).toBe(true);
    expect(trust("10.9.8.7", 1)).toBe(true);
    expect(trust("203.0.113.9", 1)).toBe(false);
  });
});

describe("createClientIpResolver", () => {
  it("when no proxies are trusted then X-Forwarded-For is ignored", () => {
    const resolve = createClientIpResolver([]);
    expect(resolve(request("127.0.0.1", "198.51.100.7"))).toBe("127.0.0.1");
  });

  it("when the socket has no address and no proxies are trusted then it is empty", () => {
    expect(createClientIpResolver([])(request(undefined))).toBe("");
  });

  it("when the remote is a trusted proxy then the rightmost untrusted hop is the client", () => {
    const resolve = createClientIpResolver(["loopback"]);
    expect(resolve(request("127.0.0.1", "198.51.100.7, 203.0.113.9"))).toBe("203.0.113.9");
  });

  it("when several hops are trusted then they are all skipped", () => {
    const resolve = createClientIpResolver(["loopback", "10.0.0.0/8"]);
    expect(resolve(request("127.0.0.1", "198.51.100.7, 10.1.2.3"))).toBe("198.51.100.7");
  });

  it("when the remote is not trusted then X-Forwarded-For is ignored", () => {
    const resolve = createClientIpResolver(["loopback"]);
    expect(resolve(request("198.51.100.1", "203.0.113.9"))).toBe("198.51.100.1");
  });

  it("when the remote is trusted but there is no X-Forwarded-For then the remote is the client", () => {
    const resolve = createClientIpResolver(["loopback"]);
    expect(resolve(request("127.0.0.1"))).toBe("127.0.0.1");
  });
});
