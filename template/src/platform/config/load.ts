import { type CleanedEnv, cleanEnv, EnvMissingError } from "envalid";
import { asymmetricAlgorithms } from "../auth/algorithms.ts";
import {
  type DatabaseSettings,
  databaseSettingsFrom,
  redactDatabaseUrl,
} from "../data/database-config.ts";
import {
  type DependencyDefaults,
  describeDependencyKeys,
  loadDependencyConfig,
} from "../resilience/dependency-config.ts";
import type { DependencySettings } from "../resilience/dependency-settings.ts";
import { configSchema, secretKeys } from "./schema.ts";

/** A key of the configuration schema (its environment variable name). */
export type ConfigKey = keyof typeof configSchema;

/** The validated, frozen configuration the composition root is built from. */
export interface Config {
  readonly service: {
    readonly name: string;
    readonly version: string;
    readonly commit: string;
    readonly environment: "development" | "test" | "production";
    readonly deploymentEnvironment: string;
  };
  readonly log: {
    readonly level: string;
    readonly redactPaths: readonly string[];
    readonly accessSampleRate: number;
    readonly accessSampleRoutes: readonly string[];
  };
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    readonly corsOrigins: readonly string[];
  };
  // lumi:begin rpc
  readonly rpc: {
    readonly host: string;
    readonly port: number;
    readonly readMaxBytes: number;
    readonly writeMaxBytes: number;
    readonly maxTimeoutMs: number;
  };
  // lumi:end rpc
  readonly ops: {
    readonly host: string;
    readonly port: number;
    readonly profiling: { readonly enabled: boolean; readonly token: string };
  };
  readonly server: {
    readonly keepAliveTimeoutMs: number;
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly connectionsCheckIntervalMs: number;
    readonly maxHeaderBytes: number;
    readonly trustedProxies: readonly string[];
  };
  readonly rateLimit: {
    readonly enabled: boolean;
    readonly perSecond: number;
    readonly burst: number;
  };
  readonly shutdown: { readonly drainDelayMs: number; readonly timeoutMs: number };
  // lumi:begin redis
  /** Redis, when `url` is not empty: the shared cache tier and rate limit. */
  readonly redis: {
    readonly url: string;
    readonly keyPrefix: string;
    readonly commandTimeoutMs: number;
  };
  // lumi:end redis
  /** Settings of every cache (see docs/caching.md). */
  readonly cache: {
    readonly l1MaxEntries: number;
    readonly l1MaxBytes: number;
    readonly ttlMs: number;
    // lumi:begin redis
    readonly l2TtlMs: number;
    // lumi:end redis
    readonly ttlJitter: number;
    readonly negativeTtlMs: number;
    readonly staleWhileRevalidateMs: number;
  };
  // lumi:begin embedded
  /** The store: PostgreSQL when `url` is set, else the embedded PGlite (docs/data.md). */
  // lumi:end embedded
  // lumi:begin !embedded
  // /** The store: PostgreSQL at `url`; src/main.ts refuses to start without one (docs/data.md). */
  // lumi:end !embedded
  readonly database: DatabaseSettings;
  /** Outbound dependencies declared by the service, with their settings. */
  readonly dependencies: Readonly<Record<string, DependencySettings>>;
  readonly auth: {
    readonly jwksUrl: string;
    readonly issuer: readonly string[];
    readonly audience: readonly string[];
    readonly algorithms: readonly string[];
    readonly clockToleranceSec: number;
    readonly requiredClaims: readonly string[];
    readonly jwksCacheMaxAgeMs: number;
    readonly jwksCooldownMs: number;
    readonly jwksTimeoutMs: number;
    readonly allowInsecureHttp: boolean;
    readonly disableForDevelopment: boolean;
  };
}

/** One invalid or missing key. */
export interface ConfigIssue {
  readonly key: string;
  readonly message: string;
}

/** Thrown by {@link loadConfig} with every invalid key at once. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      `invalid configuration: ${issues.map((issue) => `${issue.key} ${issue.message}`).join("; ")}`,
    );
    this.issues = issues;
  }
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** The service version (from package.json), reported in logs and telemetry. */
  readonly version: string;
  /** The outbound dependencies the service declares (src/app/dependencies.ts). */
  readonly dependencies?: Readonly<Record<string, DependencyDefaults>>;
}

/**
 * Validates the environment against the schema once and returns the frozen
 * configuration. Every bad key is reported in one {@link ConfigError}.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: LoadConfigOptions,
): Config {
  const issues: ConfigIssue[] = [];
  const clean = validateEnv(env, configSchema, issues);
  if (issues.length === 0) issues.push(...crossFieldIssues(clean), ...authIssues(clean));
  const dependencies: Record<string, DependencySettings> = {};
  for (const [name, defaults] of Object.entries(options.dependencies ?? {})) {
    const loaded = loadDependencyConfig(env, name, defaults);
    issues.push(...loaded.issues);
    dependencies[name] = loaded.settings;
  }
  if (issues.length > 0) throw new ConfigError(issues);

  return deepFreeze({
    service: {
      name: clean.OTEL_SERVICE_NAME,
      version: options.version,
      commit: clean.SERVICE_COMMIT,
      environment: clean.NODE_ENV as Config["service"]["environment"],
      deploymentEnvironment: clean.DEPLOYMENT_ENVIRONMENT,
    },
    log: {
      level: clean.LOG_LEVEL,
      redactPaths: clean.LOG_REDACT_PATHS,
      accessSampleRate: clean.LOG_ACCESS_SAMPLE_RATE,
      accessSampleRoutes: clean.LOG_ACCESS_SAMPLE_ROUTES,
    },
    http: {
      host: clean.HTTP_HOST,
      port: clean.HTTP_PORT,
      bodyLimitBytes: clean.HTTP_BODY_LIMIT_BYTES,
      corsOrigins: clean.HTTP_CORS_ORIGINS,
    },
    // lumi:begin rpc
    rpc: {
      host: clean.RPC_HOST,
      port: clean.RPC_PORT,
      readMaxBytes: clean.RPC_READ_MAX_BYTES,
      writeMaxBytes: clean.RPC_WRITE_MAX_BYTES,
      maxTimeoutMs: clean.RPC_MAX_TIMEOUT_MS,
    },
    // lumi:end rpc
    ops: {
      host: clean.OPS_HOST,
      port: clean.OPS_PORT,
      profiling: { enabled: clean.PROFILING_ENABLED, token: clean.PROFILING_TOKEN },
    },
    server: {
      keepAliveTimeoutMs: clean.SERVER_KEEP_ALIVE_TIMEOUT_MS,
      headersTimeoutMs: clean.SERVER_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: clean.SERVER_REQUEST_TIMEOUT_MS,
      connectionsCheckIntervalMs: clean.SERVER_CONNECTIONS_CHECK_INTERVAL_MS,
      maxHeaderBytes: clean.SERVER_MAX_HEADER_BYTES,
      trustedProxies: clean.TRUSTED_PROXIES,
    },
    rateLimit: {
      enabled: clean.RATE_LIMIT_ENABLED,
      perSecond: clean.RATE_LIMIT_PER_SECOND,
      burst: clean.RATE_LIMIT_BURST,
    },
    shutdown: {
      drainDelayMs: clean.SHUTDOWN_DRAIN_DELAY_MS,
      timeoutMs: clean.SHUTDOWN_TIMEOUT_MS,
    },
    // lumi:begin redis
    redis: {
      url: clean.REDIS_URL,
      keyPrefix: clean.REDIS_KEY_PREFIX || clean.OTEL_SERVICE_NAME,
      commandTimeoutMs: clean.REDIS_COMMAND_TIMEOUT_MS,
    },
    // lumi:end redis
    cache: {
      l1MaxEntries: clean.CACHE_L1_MAX_ENTRIES,
      l1MaxBytes: clean.CACHE_L1_MAX_BYTES,
      ttlMs: clean.CACHE_TTL_MS,
      // lumi:begin redis
      l2TtlMs: clean.CACHE_L2_TTL_MS,
      // lumi:end redis
      ttlJitter: clean.CACHE_TTL_JITTER,
      negativeTtlMs: clean.CACHE_NEGATIVE_TTL_MS,
      staleWhileRevalidateMs: clean.CACHE_STALE_WHILE_REVALIDATE_MS,
    },
    database: databaseSettingsFrom(clean),
    dependencies,
    auth: {
      jwksUrl: clean.AUTH_JWKS_URL,
      issuer: clean.AUTH_ISSUER,
      audience: clean.AUTH_AUDIENCE,
      algorithms: clean.AUTH_ALGORITHMS,
      clockToleranceSec: clean.AUTH_CLOCK_TOLERANCE_SEC,
      requiredClaims: clean.AUTH_REQUIRED_CLAIMS,
      jwksCacheMaxAgeMs: clean.AUTH_JWKS_CACHE_MAX_AGE_MS,
      jwksCooldownMs: clean.AUTH_JWKS_COOLDOWN_MS,
      jwksTimeoutMs: clean.AUTH_JWKS_TIMEOUT_MS,
      allowInsecureHttp: clean.AUTH_JWKS_ALLOW_HTTP,
      disableForDevelopment: clean.AUTH_DISABLE_FOR_DEVELOPMENT,
    },
  });
}

/**
 * Validates `env` against `schema` (the whole schema or a part of it),
 * adding one issue per missing or invalid key to `issues`.
 */
export function validateEnv<S>(
  env: Readonly<Record<string, string | undefined>>,
  schema: S,
  issues: ConfigIssue[],
): CleanedEnv<S> {
  return cleanEnv(env, schema, {
    reporter: ({ errors }) => {
      for (const [key, error] of Object.entries(errors)) {
        const message =
          error instanceof EnvMissingError
            ? "is required"
            : ((error as Error | undefined)?.message ?? "is invalid");
        issues.push({ key, message });
      }
    },
  });
}

/** Rules between the authentication keys. */
function authIssues(clean: {
  NODE_ENV: string;
  AUTH_JWKS_URL: string;
  AUTH_ISSUER: readonly string[];
  AUTH_AUDIENCE: readonly string[];
  AUTH_ALGORITHMS: readonly string[];
  AUTH_DISABLE_FOR_DEVELOPMENT: boolean;
}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (clean.AUTH_JWKS_URL !== "") {
    if (clean.AUTH_ISSUER.length === 0) {
      issues.push({ key: "AUTH_ISSUER", message: "is required when AUTH_JWKS_URL is set" });
    }
    if (clean.AUTH_AUDIENCE.length === 0) {
      issues.push({ key: "AUTH_AUDIENCE", message: "is required when AUTH_JWKS_URL is set" });
    }
  }
  if (clean.AUTH_DISABLE_FOR_DEVELOPMENT && clean.NODE_ENV === "production") {
    issues.push({
      key: "AUTH_DISABLE_FOR_DEVELOPMENT",
      message: "must not be set when NODE_ENV=production",
    });
  }
  if (clean.AUTH_DISABLE_FOR_DEVELOPMENT && clean.AUTH_JWKS_URL !== "") {
    issues.push({
      key: "AUTH_DISABLE_FOR_DEVELOPMENT",
      message: "contradicts AUTH_JWKS_URL; set one of them",
    });
  }
  const unsafe = clean.AUTH_ALGORITHMS.filter((alg) => !asymmetricAlgorithms.includes(alg));
  if (unsafe.length > 0) {
    issues.push({
      key: "AUTH_ALGORITHMS",
      message: `accepts asymmetric algorithms only; refused: ${unsafe.join(", ")}`,
    });
  }
  return issues;
}

/** Rules that involve more than one key. */
function crossFieldIssues(clean: {
  SERVER_HEADERS_TIMEOUT_MS: number;
  SERVER_REQUEST_TIMEOUT_MS: number;
  HTTP_PORT: number;
  // lumi:begin rpc
  RPC_PORT: number;
  // lumi:end rpc
  OPS_PORT: number;
}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (clean.SERVER_HEADERS_TIMEOUT_MS > clean.SERVER_REQUEST_TIMEOUT_MS) {
    issues.push({
      key: "SERVER_HEADERS_TIMEOUT_MS",
      message: `must be <= SERVER_REQUEST_TIMEOUT_MS (${clean.SERVER_REQUEST_TIMEOUT_MS})`,
    });
  }
  const ports = {
    HTTP_PORT: clean.HTTP_PORT,
    // lumi:begin rpc
    RPC_PORT: clean.RPC_PORT,
    // lumi:end rpc
    OPS_PORT: clean.OPS_PORT,
  };
  const seen = new Map<number, string>();
  for (const [key, value] of Object.entries(ports)) {
    const other = seen.get(value);
    if (value !== 0 && other !== undefined) {
      issues.push({ key, message: `must differ from ${other} (both ${value})` });
    }
    seen.set(value, key);
  }
  return issues;
}

/**
 * The configuration as the boot log shows it: every schema key with its
 * effective value, secrets replaced by "[REDACTED]" when set.
 */
export function describeConfig(
  env: Readonly<Record<string, string | undefined>>,
  dependencies: Readonly<Record<string, DependencyDefaults>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(configSchema) as ConfigKey[]) {
    const raw = env[key];
    const fallback = configSchema[key].default;
    const value = raw ?? (Array.isArray(fallback) ? fallback.join(",") : String(fallback ?? ""));
    out[key] =
      key === "DATABASE_URL"
        ? redactDatabaseUrl(value)
        : secretKeys.has(key) && value !== ""
          ? "[REDACTED]"
          : value;
  }
  for (const [name, defaults] of Object.entries(dependencies)) {
    for (const { key, default: fallback } of describeDependencyKeys(name, defaults)) {
      out[key] = env[key] ?? fallback;
    }
  }
  return out;
}

/** Freezes an object graph so configuration cannot change after boot. */
function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === "object" && !Object.isFrozen(child)) deepFreeze(child);
  }
  return Object.freeze(value);
}
