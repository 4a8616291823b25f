import { setTimeout as sleep } from "node:timers/promises";
import {
  base64url,
  type CryptoKey,
  createRemoteJWKSet,
  errors,
  exportSPKI,
  importJWK,
  jwtVerify,
  SignJWT,
} from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { createTestIssuer, type TestIssuer } from "../../../test/test-issuer.ts";
import { AppError } from "../errors/index.ts";
import {
  createDevelopmentVerifier,
  createTokenVerifier,
  createUnconfiguredVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
} from "./verifier.ts";

const issuers: TestIssuer[] = [];
const verifiers: TokenVerifier[] = [];

afterEach(async () => {
  await Promise.all(verifiers.splice(0).map((v) => v.close()));
  await Promise.all(issuers.splice(0).map((i) => i.close()));
});

async function issuerWith(keys = 1): Promise<TestIssuer> {
  const issuer = await createTestIssuer({ keys });
  issuers.push(issuer);
  return issuer;
}

function verifierFor(issuer: TestIssuer, options: Partial<TokenVerifierOptions> = {}) {
  const verifier = createTokenVerifier({
    jwksUrl: issuer.jwksUrl,
    issuer: issuer.issuer,
    audience: issuer.audience,
    ...options,
  });
  verifiers.push(verifier);
  return verifier;
}

/** Asserts a verification is refused as UNAUTHENTICATED with this reason. */
async function expectRefused(
  promise: Promise<unknown>,
  reason: string | RegExp,
): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the token was accepted").toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code).toBe("UNAUTHENTICATED");
  expect(appError.spec.status).toBe(401);
  if (typeof reason === "string") expect(appError.message).toBe(reason);
  else expect(appError.message).toMatch(reason);
  return appError;
}

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

describe("createTokenVerifier: the token", () => {
  it("when valid then its claims come back, scopes and roles parsed", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer);
    const token = await issuer.sign({
      sub: "user-7",
      scope: "items:read items:write",
      scp: ["extra"],
      roles: ["admin", 3],
    });
    const claims = await verifier.verify(token);
    expect(claims.sub).toBe("user-7");
    expect(claims.iss).toBe(issuer.issuer);
    expect(claims.aud).toBe("lumi-test");
    expect([...claims.scopes].sort()).toEqual(["extra", "items:read", "items:write"]);
    expect([...claims.roles]).toEqual(["admin"]);
    expect(claims.raw.sub).toBe("user-7");
  });

  it("when its alg is none then it is refused", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer);
    const payload = { iss: issuer.issuer, aud: issuer.audience, sub: "u", exp: 9_999_999_999 };
    const kid = issuer.keys[0]?.kid;
    for (const alg of ["none", "None", "NONE"]) {
      const token = `${encode({ alg, typ: "JWT", kid })}.${encode(payload)}.`;
      await expectRefused(verifier.verify(token), "algorithm not allowed");
    }
    expect(issuer.fetches).toBe(0);
  });

  it("when HS256-signed with the RSA public key as the HMAC secret then it is refused", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer);
    const key = issuer.keys[0];
    if (key === undefined) throw new Error("no key");
    const publicKey = await importJWK(key.publicJwk, "RS256", { extractable: true });
    const pem = await exportSPKI(publicKey as CryptoKey);
    const secrets = [
      new TextEncoder().encode(pem),
      new TextEncoder().encode(JSON.stringify(key.publicJwk)),
      base64url.decode(String(key.publicJwk.n)),
    ];
    for (const secret of secrets) {
      const token = await new SignJWT({ sub: "attacker" })
        .setProtectedHeader({ alg: "HS256", kid: key.kid })
        .setIssuer(issuer.issuer)
        .setAudience(issuer.audience)
        .setExpirationTime("5m")
        .sign(secret);
      await expectRefused(verifier.verify(token), "algorithm not allowed");
    }
  });

  it("when signed by a key outside the set under a kid of the set then it is refused", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer);
    const stranger = await issuer.addKey({ kid: "stranger", publish: false });
    const kid = issuer.keys[0]?.kid ?? "";
    const token = await issuer.sign({}, { key: stranger, kid });
    await expectRefused(verifier.verify(token), "invalid signature");
  });

  it("when its issuer or audience is not accepted then it is refused", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer, { audience: ["lumi-test", "other"] });
    await expectRefused(
      verifier.verify(await issuer.sign({ iss: "https://evil.example" })),
      "issuer not accepted",
    );
    await expectRefused(
      verifier.verify(await issuer.sign({ aud: "else" })),
      "audience not accepted",
    );
    await expectRefused(
      verifier.verify(await issuer.sign({ aud: ["else", "again"] })),
      "audience not accepted",
    );
    await expect(verifier.verify(await issuer.sign({ aud: ["x", "other"] }))).resolves.toBeTruthy();
  });

  it("when a required claim is missing then it is refused naming the claim", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer);
    await expectRefused(
      verifier.verify(await issuer.sign({ sub: undefined })),
      "missing claim sub",
    );
    await expectRefused(
      verifier.verify(await issuer.sign({ exp: undefined })),
      "missing claim exp",
    );
    const withIat = verifierFor(issuer, { requiredClaims: ["exp", "sub", "iat"] });
    await expectRefused(withIat.verify(await issuer.sign({ iat: undefined })), "missing claim iat");
  });

  it("when it is not a JWT then it is refused as malformed, never echoed", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer);
    for (const token of ["abc", "a.b", "a.b.c", "", `${encode({ alg: "RS256" })}.x.y`]) {
      const error = await expectRefused(verifier.verify(token), /malformed token|missing key id/);
      if (token !== "") expect(error.message).not.toContain(token);
    }
  });

  it("when its sub is not a string then it is refused as malformed", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer);
    await expectRefused(
      verifier.verify(await issuer.sign({ sub: 42 as never })),
      "malformed token",
    );
  });
});

describe("createTokenVerifier: time", () => {
  const exp = 2_000_000_000;

  it("when expired by less than the tolerance then accepted; by the tolerance or more, refused", async () => {
    const issuer = await issuerWith();
    let nowSec = 0;
    const verifier = verifierFor(issuer, {
      clockToleranceSec: 30,
      now: () => new Date(nowSec * 1000),
    });
    const token = await issuer.sign({ exp }, { nowSec: exp - 300 });
    nowSec = exp + 29;
    await expect(verifier.verify(token)).resolves.toBeTruthy();
    nowSec = exp + 30;
    await expectRefused(verifier.verify(token), "token expired");
    nowSec = exp + 31;
    await expectRefused(verifier.verify(token), "token expired");
  });

  it("when nbf is in the future by the tolerance then accepted; beyond it, refused", async () => {
    const issuer = await issuerWith();
    const nowSec = exp - 1000;
    const verifier = verifierFor(issuer, {
      clockToleranceSec: 30,
      now: () => new Date(nowSec * 1000),
    });
    const at = (nbf: number) => issuer.sign({ nbf, exp }, { nowSec });
    await expect(verifier.verify(await at(nowSec + 30))).resolves.toBeTruthy();
    await expectRefused(verifier.verify(await at(nowSec + 31)), "token not yet valid");
  });

  it("when the tolerance is 0 then a token is refused from its exp second on", async () => {
    const issuer = await issuerWith();
    let nowSec = exp - 1;
    const verifier = verifierFor(issuer, {
      clockToleranceSec: 0,
      now: () => new Date(nowSec * 1000),
    });
    const token = await issuer.sign({ exp }, { nowSec: exp - 300 });
    await expect(verifier.verify(token)).resolves.toBeTruthy();
    nowSec = exp;
    await expectRefused(verifier.verify(token), "token expired");
  });
});

describe("createTokenVerifier: kid", () => {
  it("when the kid is missing then it is refused, whatever the size of the set", async () => {
    for (const keys of [1, 2]) {
      const issuer = await issuerWith(keys);
      const verifier = verifierFor(issuer);
      await expectRefused(verifier.verify(await issuer.sign({}, { kid: null })), "missing key id");
    }
  });

  it("when jose alone meets a missing kid then it picks a one-key set's key and refuses a larger set", async () => {
    const single = await issuerWith(1);
    const jwks = createRemoteJWKSet(new URL(single.jwksUrl));
    const noKid = await single.sign({}, { kid: null });
    await expect(jwtVerify(noKid, jwks)).resolves.toBeTruthy();
    const double = await issuerWith(2);
    await expect(
      jwtVerify(await double.sign({}, { kid: null }), createRemoteJWKSet(new URL(double.jwksUrl))),
    ).rejects.toBeInstanceOf(errors.JWKSMultipleMatchingKeys);
  });

  it("when the kid is unknown then it is refused as an unknown signing key", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer);
    await expectRefused(
      verifier.verify(await issuer.sign({}, { kid: "nope" })),
      "unknown signing key",
    );
  });
});

describe("createTokenVerifier: key set cache", () => {
  it("when many tokens arrive on a cold cache then one fetch serves them all", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer);
    const token = await issuer.sign();
    const results = await Promise.all(Array.from({ length: 50 }, () => verifier.verify(token)));
    expect(results).toHaveLength(50);
    expect(issuer.fetches).toBe(1);
  });

  it("when a new kid is rotated in then it is accepted after exactly one more fetch", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer, { jwksCooldownMs: 100 });
    await verifier.verify(await issuer.sign());
    expect(issuer.fetches).toBe(1);
    const rotated = await issuer.addKey({ kid: "rotated" });
    await sleep(150);
    const claims = await verifier.verify(await issuer.sign({ sub: "after" }, { key: rotated }));
    expect(claims.sub).toBe("after");
    expect(issuer.fetches).toBe(2);
    // The old key is still published and cached: no further fetch.
    await verifier.verify(await issuer.sign({}, { key: issuer.keys[0] }));
    expect(issuer.fetches).toBe(2);
  });

  it("when a new kid arrives within the cooldown then it is refused without a fetch", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer, { jwksCooldownMs: 60_000 });
    await verifier.verify(await issuer.sign());
    const rotated = await issuer.addKey({ kid: "too-early" });
    await expectRefused(
      verifier.verify(await issuer.sign({}, { key: rotated })),
      "unknown signing key",
    );
    expect(issuer.fetches).toBe(1);
  });

  it("when a kid is removed then it is refused once the cache max age has passed", async () => {
    const issuer = await issuerWith(2);
    const verifier = verifierFor(issuer, { jwksCacheMaxAgeMs: 300, jwksCooldownMs: 50 });
    const old = issuer.keys[0];
    const token = await issuer.sign({}, { key: old });
    await verifier.verify(token);
    issuer.removeKey(old?.kid ?? "");
    await expect(verifier.verify(token)).resolves.toBeTruthy();
    expect(issuer.fetches).toBe(1);
    await sleep(350);
    await expectRefused(verifier.verify(token), "unknown signing key");
    expect(issuer.fetches).toBe(2);
  });

  it("when 200 tokens with random unknown kids arrive at once then the key set is fetched at most twice more", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer, { jwksCooldownMs: 1_000 });
    const tokens = await Promise.all(
      Array.from({ length: 200 }, () => issuer.sign({}, { kid: crypto.randomUUID() })),
    );
    await verifier.verify(await issuer.sign());
    await sleep(1_050);
    const before = issuer.fetches;
    const outcomes = await Promise.allSettled(tokens.map((t) => verifier.verify(t)));
    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
    for (const outcome of outcomes) {
      const reason = (outcome as PromiseRejectedResult).reason as AppError;
      expect(reason.code).toBe("UNAUTHENTICATED");
      expect(reason.message).toBe("unknown signing key");
    }
    expect(issuer.fetches - before).toBeLessThanOrEqual(2);
    // A second storm within the cooldown fetches nothing.
    const during = issuer.fetches;
    await Promise.allSettled(tokens.map((t) => verifier.verify(t)));
    expect(issuer.fetches).toBe(during);
  });

  it("when a storm of unknown kids hits a cold cache then one fetch serves it", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer);
    const tokens = await Promise.all(
      Array.from({ length: 200 }, () => issuer.sign({}, { kid: crypto.randomUUID() })),
    );
    await Promise.allSettled(tokens.map((t) => verifier.verify(t)));
    expect(issuer.fetches).toBe(1);
  });
});

describe("createTokenVerifier: key set outage", () => {
  const outages = [
    { name: "answers 500", mode: { kind: "error", status: 500 } },
    { name: "answers 404", mode: { kind: "error", status: 404 } },
    { name: "resets connections", mode: { kind: "reset" } },
    { name: "is slower than the timeout", mode: { kind: "slow", delayMs: 2_000 } },
  ] as const;

  it.each(outages)(
    "when the endpoint $name after the cache went stale then cached keys still verify",
    async ({ mode }) => {
      const issuer = await issuerWith();
      const verifier = verifierFor(issuer, {
        jwksCacheMaxAgeMs: 100,
        jwksCooldownMs: 5_000,
        jwksTimeoutMs: 300,
      });
      const token = await issuer.sign();
      await verifier.verify(token);
      issuer.setMode(mode);
      await sleep(150);
      await expect(verifier.verify(token)).resolves.toBeTruthy();
      expect(issuer.fetches).toBe(2);
      // While the endpoint fails, the cooldown bounds the attempts.
      const again = await Promise.all(Array.from({ length: 20 }, () => verifier.verify(token)));
      expect(again).toHaveLength(20);
      expect(issuer.fetches).toBe(2);
    },
  );

  it("when jose's key set alone meets the same outage then it fails, which is why the verifier wraps it", async () => {
    const issuer = await issuerWith();
    const jwks = createRemoteJWKSet(new URL(issuer.jwksUrl), { cacheMaxAge: 100 });
    const token = await issuer.sign();
    await jwtVerify(token, jwks);
    issuer.setMode({ kind: "error", status: 500 });
    await sleep(150);
    await expect(jwtVerify(token, jwks)).rejects.toBeInstanceOf(errors.JOSEError);
    await expect(jwtVerify(token, jwks)).rejects.toBeInstanceOf(errors.JOSEError);
    expect(issuer.fetches).toBe(3);
  });

  it("when the endpoint is down and the kid unknown then it is refused as unauthenticated, never a 500", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer, { jwksCooldownMs: 300 });
    await verifier.verify(await issuer.sign());
    issuer.setMode({ kind: "error", status: 503 });
    const rotated = await issuer.addKey({ kid: "rotated-during-outage" });
    const token = await issuer.sign({}, { key: rotated });
    await sleep(350);
    // Either reason is a 401; this verifier says the set could not be refreshed.
    await expectRefused(verifier.verify(token), "key set unavailable");
    await expectRefused(verifier.verify(token), "key set unavailable");
    expect(issuer.fetches).toBe(2);
  });

  it("when the endpoint is down from the start then tokens are refused and attempts bounded", async () => {
    const issuer = await issuerWith();
    issuer.setMode({ kind: "error", status: 500 });
    const verifier = verifierFor(issuer, { jwksCooldownMs: 200 });
    const token = await issuer.sign();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => verifier.verify(token)),
    );
    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
    await expectRefused(verifier.verify(token), "key set unavailable");
    expect(issuer.fetches).toBe(1);
    // Back up: once the cooldown has passed, the next token fetches and verifies.
    issuer.setMode({ kind: "up" });
    await sleep(250);
    await expect(verifier.verify(token)).resolves.toBeTruthy();
    expect(issuer.fetches).toBe(2);
  });

  it("when the endpoint comes back then rotated keys are picked up again", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer, { jwksCooldownMs: 100, jwksCacheMaxAgeMs: 100 });
    const token = await issuer.sign();
    await verifier.verify(token);
    issuer.setMode({ kind: "reset" });
    await sleep(150);
    await verifier.verify(token);
    issuer.setMode({ kind: "up" });
    const rotated = await issuer.addKey({ kid: "after-outage" });
    await sleep(150);
    const claims = await verifier.verify(await issuer.sign({ sub: "back" }, { key: rotated }));
    expect(claims.sub).toBe("back");
  });

  it.each([
    ["not JSON", "<html>maintenance</html>"],
    ["not a key set", '{"keys":"none"}'],
    ["larger than the limit", `{"keys":[],"pad":"${"x".repeat(600 * 1024)}"}`],
  ])(
    "when the endpoint answers 200 with a body %s then the last good keys stay",
    async (_, body) => {
      const issuer = await issuerWith();
      const verifier = verifierFor(issuer, { jwksCacheMaxAgeMs: 100, jwksCooldownMs: 5_000 });
      const token = await issuer.sign();
      await verifier.verify(token);
      issuer.setMode({ kind: "body", body });
      await sleep(150);
      await expect(verifier.verify(token)).resolves.toBeTruthy();
      expect(issuer.fetches).toBe(2);
    },
  );

  it("when closed then tokens are refused", async () => {
    const issuer = await issuerWith();
    const verifier = verifierFor(issuer);
    await verifier.close();
    await expectRefused(verifier.verify(await issuer.sign()), "key set unavailable");
  });
});

describe("createTokenVerifier: options", () => {
  const base = { issuer: "https://id.example", audience: "api" };

  it("when an algorithm is symmetric or none then it is refused at boot", () => {
    for (const algorithms of [["HS256"], ["RS256", "none"], []]) {
      expect(() =>
        createTokenVerifier({ ...base, jwksUrl: "https://id.example/jwks", algorithms }),
      ).toThrow(TypeError);
    }
  });

  it("when no issuer or audience is given then it is refused at boot", () => {
    const jwksUrl = "https://id.example/jwks";
    expect(() => createTokenVerifier({ ...base, jwksUrl, issuer: [] })).toThrow(/issuer/);
    expect(() => createTokenVerifier({ ...base, jwksUrl, audience: "" })).toThrow(/audience/);
  });

  it("when the key set URL is plain http off loopback then it needs an explicit allowance", async () => {
    const jwksUrl = "http://id.internal/jwks";
    expect(() => createTokenVerifier({ ...base, jwksUrl })).toThrow(/https/);
    const allowed = createTokenVerifier({ ...base, jwksUrl, allowInsecureHttp: true });
    await allowed.close();
  });
});

describe("createUnconfiguredVerifier and createDevelopmentVerifier", () => {
  it("when no key set is configured then every token is refused", async () => {
    const verifier = createUnconfiguredVerifier();
    await expectRefused(verifier.verify("x.y.z"), "authentication is not configured");
    expect(verifier.claimsWithoutToken).toBeUndefined();
  });

  it("when in development then every caller is the developer holding every scope", async () => {
    const verifier = createDevelopmentVerifier();
    const claims = await verifier.verify("anything");
    expect(claims.sub).toBe("developer");
    expect(claims.scopes.has("items:write")).toBe(true);
    expect(claims.roles.has("admin")).toBe(true);
    expect(verifier.claimsWithoutToken).toBe(claims);
  });
});
