import type { BreakerOptions } from "./breaker.ts";
import {
  type ConcurrencyOptions,
  type DependencySettings,
  dependencyDefaults,
  type RetryOptions,
  settingsProblems,
} from "./dependency-settings.ts";

/** A service's own defaults for one dependency; the environment overrides them. */
export interface DependencyDefaults {
  /**
   * Default base URL. Leave it out to make `DEP_<NAME>_BASE_URL` required;
   * `null` means the dependency has no URL (a client that finds its own endpoint).
   */
  readonly baseUrl?: string | null;
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryOptions>;
  readonly breaker?: Partial<BreakerOptions>;
  readonly concurrency?: Partial<ConcurrencyOptions>;
  readonly critical?: boolean;
}

/** One missing or invalid key (the same shape as the config module's issues). */
export interface DependencyConfigIssue {
  readonly key: string;
  readonly message: string;
}

/** The effective settings of one dependency, valid when `issues` is empty. */
export interface DependencyConfig {
  readonly settings: DependencySettings;
  readonly issues: readonly DependencyConfigIssue[];
}

/** One environment key of a dependency, for `.env.example` and the docs. */
export interface DependencyKey {
  readonly key: string;
  readonly desc: string;
  readonly default: string;
}

type Kind = "url" | "bool" | "int" | "ratio";

/** Every per-dependency key: env suffix → setting path, kind and doc line. */
const keys = [
  ["BASE_URL", "baseUrl", "url", "Base URL of the dependency."],
  ["CRITICAL", "critical", "bool", "Whether readiness fails while its circuit is open."],
  ["TIMEOUT_MS", "timeoutMs", "int", "Timeout of each attempt, in ms."],
  [
    "DEADLINE_MS",
    "retry.deadlineMs",
    "int",
    "Overall deadline of a call, retries included, in ms.",
  ],
  ["RETRY_ATTEMPTS", "retry.attempts", "int", "Attempts per idempotent call, the first included."],
  [
    "RETRY_BASE_DELAY_MS",
    "retry.baseDelayMs",
    "int",
    "Ceiling of the first retry's jittered delay, in ms.",
  ],
  [
    "RETRY_MAX_DELAY_MS",
    "retry.maxDelayMs",
    "int",
    "Upper bound of a jittered retry delay, in ms.",
  ],
  [
    "BREAKER_FAILURE_RATE",
    "breaker.failureRateThreshold",
    "ratio",
    "Failure rate (0–1] that opens the circuit.",
  ],
  [
    "BREAKER_MIN_CALLS",
    "breaker.minimumCalls",
    "int",
    "Completed calls needed before the rate is judged.",
  ],
  ["BREAKER_WINDOW_MS", "breaker.windowMs", "int", "Rolling window of the failure rate, in ms."],
  [
    "BREAKER_OPEN_MS",
    "breaker.openMs",
    "int",
    "Time the circuit stays open before one trial call, in ms.",
  ],
  ["CONCURRENCY", "concurrency.limit", "int", "Calls in flight at once."],
  [
    "CONCURRENCY_QUEUE",
    "concurrency.queue",
    "int",
    "Calls that may wait for a slot; the rest are refused.",
  ],
] as const satisfies readonly (readonly [string, string, Kind, string])[];

/** The env-name prefix of a dependency: `payments-api` → `DEP_PAYMENTS_API_`. */
export function dependencyEnvPrefix(name: string): string {
  return `DEP_${name.toUpperCase().replaceAll("-", "_")}_`;
}

/**
 * Reads one dependency's settings from `env` (a plain object: the config
 * module passes what it read), over `defaults`, over the library defaults.
 * Never throws: every bad key is returned as an issue.
 */
export function loadDependencyConfig(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  defaults: DependencyDefaults = {},
): DependencyConfig {
  const prefix = dependencyEnvPrefix(name);
  const issues: DependencyConfigIssue[] = [];
  const flat = flatten(defaults);
  for (const [suffix, path, kind] of keys) {
    const raw = env[prefix + suffix]?.trim();
    if (raw === undefined || raw === "") continue;
    const value = parse(kind, raw);
    if (value !== undefined) flat.set(path, value);
    // A URL is not echoed: a malformed one may still hold a secret.
    else if (kind === "url") issues.push({ key: prefix + suffix, message: expected[kind] });
    else issues.push({ key: prefix + suffix, message: `${expected[kind]}, got "${raw}"` });
  }
  const baseUrl = flat.get("baseUrl");
  const baseUrlSet = (env[`${prefix}BASE_URL`]?.trim() ?? "") !== "";
  if (baseUrl === undefined && !baseUrlSet && defaults.baseUrl !== null) {
    issues.push({ key: `${prefix}BASE_URL`, message: "is required" });
  }
  const num = (path: string) => flat.get(path) as number | undefined;
  const settings: DependencySettings = {
    ...(typeof baseUrl === "string" ? { baseUrl } : {}),
    timeoutMs: num("timeoutMs") ?? dependencyDefaults.timeoutMs,
    retry: {
      attempts: num("retry.attempts") ?? dependencyDefaults.retry.attempts,
      baseDelayMs: num("retry.baseDelayMs") ?? dependencyDefaults.retry.baseDelayMs,
      maxDelayMs: num("retry.maxDelayMs") ?? dependencyDefaults.retry.maxDelayMs,
      deadlineMs: num("retry.deadlineMs") ?? dependencyDefaults.retry.deadlineMs,
    },
    breaker: {
      failureRateThreshold:
        num("breaker.failureRateThreshold") ?? dependencyDefaults.breaker.failureRateThreshold,
      minimumCalls: num("breaker.minimumCalls") ?? dependencyDefaults.breaker.minimumCalls,
      windowMs: num("breaker.windowMs") ?? dependencyDefaults.breaker.windowMs,
      openMs: num("breaker.openMs") ?? dependencyDefaults.breaker.openMs,
    },
    concurrency: {
      limit: num("concurrency.limit") ?? dependencyDefaults.concurrency.limit,
      queue: num("concurrency.queue") ?? dependencyDefaults.concurrency.queue,
    },
    critical: (flat.get("critical") as boolean | undefined) ?? dependencyDefaults.critical,
  };
  if (issues.length === 0) {
    for (const [path, problem] of settingsProblems(name, settings)) {
      const suffix = keys.find((entry) => entry[1] === path)?.[0];
      issues.push({
        key: suffix === undefined ? `dependency ${name}` : prefix + suffix,
        message: problem,
      });
    }
  }
  return { settings, issues };
}

/** Lists a dependency's env keys with their doc lines and effective defaults. */
export function describeDependencyKeys(
  name: string,
  defaults: DependencyDefaults = {},
): DependencyKey[] {
  const prefix = dependencyEnvPrefix(name);
  const flat = flatten(defaults);
  const library = flatten(dependencyDefaults);
  return keys.map(([suffix, path, , desc]) => {
    const value = flat.get(path) ?? library.get(path);
    return { key: prefix + suffix, desc, default: value === undefined ? "" : String(value) };
  });
}

const expected: Record<Kind, string> = {
  url: "must be an absolute http(s) URL without credentials",
  bool: "must be true or false",
  int: "must be a non-negative integer",
  ratio: "must be a number",
};

function parse(kind: Kind, raw: string): string | number | boolean | undefined {
  switch (kind) {
    case "url": {
      const url = URL.parse(raw);
      // Credentials belong in headers, not in a URL the boot log prints.
      const plain = url !== null && url.username === "" && url.password === "";
      return plain && (url.protocol === "http:" || url.protocol === "https:") ? raw : undefined;
    }
    case "bool": {
      const text = raw.toLowerCase();
      if (text === "true" || text === "1") return true;
      if (text === "false" || text === "0") return false;
      return undefined;
    }
    case "int":
      return /^\d+$/.test(raw) ? Number(raw) : undefined;
    case "ratio": {
      const value = Number(raw);
      return Number.isFinite(value) ? value : undefined;
    }
  }
}

/** Flattens nested defaults into `path → value` (null and undefined left out). */
function flatten(defaults: object): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  for (const [key, value] of Object.entries(defaults)) {
    if (value === null || value === undefined) continue;
    if (typeof value === "object") {
      for (const [inner, innerValue] of Object.entries(value)) {
        if (innerValue !== undefined) flat.set(`${key}.${inner}`, innerValue);
      }
    } else flat.set(key, value);
  }
  return flat;
}
