import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from "jose";

/** How the test issuer's key set endpoint answers. */
export type KeySetMode =
  | { readonly kind: "up" }
  /** Answers with this status and no key set. */
  | { readonly kind: "error"; readonly status: number }
  /** Answers 200 with this body instead of the key set. */
  | { readonly kind: "body"; readonly body: string }
  /** Resets the connection without answering. */
  | { readonly kind: "reset" }
  /** Answers the key set after a delay. */
  | { readonly kind: "slow"; readonly delayMs: number };

/** One signing key of the test issuer. */
export interface TestKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** Options of {@link TestIssuer.sign}. */
export interface SignOptions {
  /** Key id put in the header; `null` leaves it out. Defaults to the signing key's. */
  readonly kid?: string | null;
  /** Signing key; defaults to the newest published key. */
  readonly key?: TestKey;
  /** Seconds since the epoch used for `iat` and the default `exp` (`iat` + 300). */
  readonly nowSec?: number;
}

/**
 * A local OpenID-style issuer for tests: RS256 keys published as a JSON Web
 * Key Set over HTTP on 127.0.0.1, counting fetches, able to rotate keys and
 * to fail, reset or answer slowly. Test support only: never used by the
 * running service.
 */
export interface TestIssuer {
  /** The key set URL (AUTH_JWKS_URL). */
  readonly jwksUrl: string;
  /** The `iss` of the tokens it signs. */
  readonly issuer: string;
  /** The `aud` of the tokens it signs. */
  readonly audience: string;
  /** How many times the key set was asked for, whatever the answer. */
  readonly fetches: number;
  /** The published keys, oldest first. */
  readonly keys: readonly TestKey[];
  /** Makes a key; publishes it unless `publish` is false. */
  addKey(options?: { kid?: string; publish?: boolean }): Promise<TestKey>;
  /** Stops publishing a key. */
  removeKey(kid: string): void;
  /** Sets how the endpoint answers from now on. */
  setMode(mode: KeySetMode): void;
  /** Signs a token with the issuer's defaults (`iss`, `aud`, `sub`, `iat`, `exp`) and `claims` on top. */
  sign(claims?: JWTPayload, options?: SignOptions): Promise<string>;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts a test issuer with `keys` published keys (default 1). */
export async function createTestIssuer(options: { keys?: number } = {}): Promise<TestIssuer> {
  const published: TestKey[] = [];
  let fetches = 0;
  let mode: KeySetMode = { kind: "up" };
  let serial = 0;

  const server = createServer(async (req, res) => {
    fetches += 1;
    const current = mode;
    if (current.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (current.kind === "error") {
      res.writeHead(current.status, { "content-type": "text/plain" }).end("unavailable");
      return;
    }
    if (current.kind === "body") {
      res.writeHead(200, { "content-type": "application/json" }).end(current.body);
      return;
    }
    if (current.kind === "slow") await sleep(current.delayMs);
    const body = JSON.stringify({ keys: published.map((key) => key.publicJwk) });
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const issuer: TestIssuer = {
    jwksUrl: `${origin}/.well-known/jwks.json`,
    issuer: origin,
    audience: "lumi-test",
    get fetches() {
      return fetches;
    },
    get keys() {
      return [...published];
    },
    async addKey(keyOptions = {}) {
      serial += 1;
      const kid = keyOptions.kid ?? `key-${serial}`;
      const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
      const key = { kid, privateKey, publicJwk };
      if (keyOptions.publish !== false) published.push(key);
      return key;
    },
    removeKey(kid) {
      const index = published.findIndex((key) => key.kid === kid);
      if (index >= 0) published.splice(index, 1);
    },
    setMode(next) {
      mode = next;
    },
    async sign(claims = {}, signOptions = {}) {
      const key = signOptions.key ?? published.at(-1);
      if (key === undefined) throw new Error("the test issuer has no key");
      const nowSec = signOptions.nowSec ?? Math.floor(Date.now() / 1000);
      const kid = signOptions.kid === undefined ? key.kid : signOptions.kid;
      const payload = {
        iss: origin,
        aud: "lumi-test",
        sub: "user-1",
        iat: nowSec,
        exp: nowSec + 300,
        ...claims,
      };
      return new SignJWT(payload)
        .setProtectedHeader({ alg: "RS256", typ: "JWT", ...(kid === null ? {} : { kid }) })
        .sign(key.privateKey);
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
  for (let i = 0; i < (options.keys ?? 1); i += 1) await issuer.addKey();
  return issuer;
}
