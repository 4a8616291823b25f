import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  type FetchImplementation,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  jwtVerify,
} from "jose";
import type { Logger } from "pino";
import { AppError } from "../errors/index.ts";
import { asymmetricAlgorithms, defaultAlgorithms } from "./algorithms.ts";
import { type Claims, claimsFromPayload, developmentClaims } from "./claims.ts";

/** Options of {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  /** URL of the issuer's JSON Web Key Set (AUTH_JWKS_URL). */
  readonly jwksUrl: string | URL;
  /** Accepted `iss` values (AUTH_ISSUER); at least one. */
  readonly issuer: string | readonly string[];
  /** Accepted `aud` values (AUTH_AUDIENCE); the token must name at least one. */
  readonly audience: string | readonly string[];
  /** Accepted `alg` values (AUTH_ALGORITHMS); asymmetric only. Defaults to {@link defaultAlgorithms}. */
  readonly algorithms?: readonly string[];
  /** Leeway on `exp` and `nbf`, in seconds (AUTH_CLOCK_TOLERANCE_SEC). Defaults to 30. */
  readonly clockToleranceSec?: number;
  /** Claims a token must carry (AUTH_REQUIRED_CLAIMS). Defaults to `exp` and `sub`. */
  readonly requiredClaims?: readonly string[];
  /** Age after which the key set is fetched again (AUTH_JWKS_CACHE_MAX_AGE_MS). Defaults to 10 min. */
  readonly jwksCacheMaxAgeMs?: number;
  /**
   * Least time between two fetches caused by unknown `kid`s, and between two
   * attempts while the endpoint fails (AUTH_JWKS_COOLDOWN_MS). Defaults to 30 s.
   */
  readonly jwksCooldownMs?: number;
  /** Deadline of one key set fetch, body included (AUTH_JWKS_TIMEOUT_MS). Defaults to 5 s. */
  readonly jwksTimeoutMs?: number;
  /** Allows an `http:` key set URL on a non-loopback host (AUTH_JWKS_ALLOW_HTTP). Defaults to false. */
  readonly allowInsecureHttp?: boolean;
  /** Where key set failures are reported (never with a token). */
  readonly logger?: Logger;
  /** The current time, for tests; defaults to the system clock. */
  readonly now?: () => Date;
}

/** Verifies bearer tokens and turns them into {@link Claims}. */
export interface TokenVerifier {
  /**
   * Verifies a compact JWT: signature against the key set, `alg`, `iss`,
   * `aud`, `exp`, `nbf` and the required claims. Rejects with an
   * `UNAUTHENTICATED` AppError whose message is a short, safe reason.
   */
  verify(token: string): Promise<Claims>;
  /**
   * The claims granted to a request that carries no token; only the
   * development verifier has them.
   */
  readonly claimsWithoutToken?: Claims;
  /** Aborts any key set fetch in flight; later verifications fail. */
  close(): Promise<void>;
}

/** Largest key set response read, in bytes; real ones are a few KiB. */
const maxKeySetBytes = 512 * 1024;

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The `UNAUTHENTICATED` error of a refused token, the underlying error kept as cause. */
function refused(reason: string, cause?: unknown): AppError {
  return new AppError("UNAUTHENTICATED", reason, { cause });
}

/** Short, client-safe reasons of the claim checks, by claim. */
const claimReasons: Readonly<Record<string, string>> = {
  nbf: "token not yet valid",
  iss: "issuer not accepted",
  aud: "audience not accepted",
  exp: "token expired",
};

/** The client-safe reason a jose (or any other) error refuses a token. */
export function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "token expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return `missing claim ${error.claim}`;
    if (error.reason === "check_failed") return claimReasons[error.claim] ?? "claim not accepted";
    return "malformed token";
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "algorithm not allowed";
  if (error instanceof errors.JOSENotSupported) return "algorithm not allowed";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "invalid signature";
  if (error instanceof errors.JWKSNoMatchingKey) return "unknown signing key";
  if (error instanceof errors.JWKSMultipleMatchingKeys) return "ambiguous signing key";
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return "malformed token";
  }
  if (error instanceof errors.JWKInvalid || error instanceof errors.JWKSInvalid) {
    return "unusable signing key";
  }
  return "invalid token";
}

/** Reads a response body as text, failing beyond `limit` bytes. */
async function readCapped(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw new Error(`key set larger than ${limit} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > limit) throw new Error(`key set larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Checks the verifier's options once, at boot; throws a TypeError naming the problem. */
function checkOptions(options: TokenVerifierOptions, url: URL, algorithms: readonly string[]) {
  const listed = (value: string | readonly string[]) =>
    (typeof value === "string" ? [value] : value).filter((v) => v !== "");
  if (listed(options.issuer).length === 0) throw new TypeError("auth: no issuer is accepted");
  if (listed(options.audience).length === 0) throw new TypeError("auth: no audience is accepted");
  if (algorithms.length === 0) throw new TypeError("auth: no algorithm is accepted");
  const notAsymmetric = algorithms.filter((alg) => !asymmetricAlgorithms.includes(alg));
  if (notAsymmetric.length > 0) {
    throw new TypeError(`auth: algorithms must be asymmetric, got ${notAsymmetric.join(", ")}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError("auth: the key set URL must be http(s)");
  }
  if (url.protocol === "http:" && !loopbackHosts.has(url.hostname) && !options.allowInsecureHttp) {
    throw new TypeError("auth: the key set URL must be https (or allow plain http explicitly)");
  }
}

/**
 * Creates a verifier of bearer JWTs over a remote JSON Web Key Set.
 *
 * jose's remote key set caches keys for `jwksCacheMaxAgeMs`, fetches again
 * for an unknown `kid` at most once per `jwksCooldownMs` after a successful
 * fetch, and shares one request among concurrent callers. On its own it
 * fails every verification once the cache is stale and the endpoint is down,
 * and retries the endpoint on every such call; this wrapper keeps the last
 * good key set, serves it while the endpoint fails, and tries the endpoint
 * again at most once per cooldown.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const url = new URL(options.jwksUrl);
  const algorithms = options.algorithms ?? defaultAlgorithms;
  checkOptions(options, url, algorithms);
  const cooldownMs = options.jwksCooldownMs ?? 30_000;
  const verifyOptions = {
    issuer: typeof options.issuer === "string" ? options.issuer : [...options.issuer],
    audience: typeof options.audience === "string" ? options.audience : [...options.audience],
    algorithms: [...algorithms],
    clockTolerance: options.clockToleranceSec ?? 30,
    requiredClaims: [...(options.requiredClaims ?? ["exp", "sub"])],
  };
  const closing = new AbortController();
  /** Errors thrown by a failed fetch, told apart from key lookup errors. */
  const fetchFailures = new WeakSet<object>();
  let lastGood: ReturnType<typeof createLocalJWKSet> | undefined;
  let failedAt: number | undefined;

  const fetchKeySet: FetchImplementation = async (href, init) => {
    try {
      const response = await fetch(href, {
        ...init,
        signal: AbortSignal.any([init.signal, closing.signal]),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`key set endpoint answered ${response.status}`);
      }
      const text = await readCapped(response, maxKeySetBytes);
      // Parsed here so that a set jose would refuse never replaces the last good one.
      lastGood = createLocalJWKSet(JSON.parse(text));
      failedAt = undefined;
      return new Response(text, { status: 200, headers: { "content-type": "application/json" } });
    } catch (cause) {
      failedAt = Date.now();
      options.logger?.warn(
        { err: cause, jwks_url: url.origin + url.pathname },
        lastGood === undefined
          ? "key set fetch failed; no keys yet"
          : "key set fetch failed; serving the last good keys",
      );
      // Not named TimeoutError, so that jose passes it through unwrapped.
      const failure = new Error("key set unavailable", { cause });
      fetchFailures.add(failure);
      throw failure;
    }
  };

  const remote = createRemoteJWKSet(url, {
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    cooldownDuration: cooldownMs,
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
    [customFetch]: fetchKeySet,
  });

  const fromLastGood = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    if (lastGood === undefined) throw refused("key set unavailable");
    try {
      return await lastGood(header, token);
    } catch (error) {
      // The set cannot be refreshed, so an unknown kid may be a new key.
      if (error instanceof errors.JWKSNoMatchingKey) throw refused("key set unavailable", error);
      throw error;
    }
  };

  const getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    // jose picks the only key of a one-key set for a token without kid;
    // requiring it keeps the choice of key explicit whatever the set holds.
    if (typeof header.kid !== "string" || header.kid === "") throw refused("missing key id");
    if (closing.signal.aborted) throw refused("key set unavailable");
    if (failedAt !== undefined && Date.now() - failedAt < cooldownMs) {
      return fromLastGood(header, token);
    }
    try {
      return await remote(header, token);
    } catch (error) {
      if (!fetchFailures.has(error as object)) throw error;
      if (lastGood === undefined) throw refused("key set unavailable", error);
      return fromLastGood(header, token);
    }
  };

  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, getKey, {
          ...verifyOptions,
          ...(options.now === undefined ? {} : { currentDate: options.now() }),
        });
        return claimsFromPayload(payload);
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw refused(reasonOf(error), error);
      }
    },
    async close() {
      closing.abort();
    },
  };
}

/**
 * A verifier for a service without a key set URL: every token is refused
 * with "authentication is not configured", so protected routes fail closed
 * while public ones keep working.
 */
export function createUnconfiguredVerifier(): TokenVerifier {
  return {
    async verify() {
      throw refused("authentication is not configured");
    },
    async close() {},
  };
}

/**
 * The development escape hatch (AUTH_DISABLE_FOR_DEVELOPMENT): every request,
 * with or without a token, is the development principal, which holds every
 * scope and role. Configuration refuses it in production.
 */
export function createDevelopmentVerifier(): TokenVerifier {
  return {
    async verify() {
      return developmentClaims;
    },
    claimsWithoutToken: developmentClaims,
    async close() {},
  };
}
