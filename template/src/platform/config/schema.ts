import { bool, str } from "envalid";
// Leaf modules, imported directly so that loading the configuration (also
// done by the telemetry preload) does not load jose or the resilience stack.
import { defaultAlgorithms } from "../auth/algorithms.ts";
import { databaseConfigSchema } from "../data/database-config.ts";
// lumi:begin redis
import { int, list, optionalRedisUrl, optionalUrl, ratio } from "./validators.ts";
// lumi:end redis
// lumi:begin !redis
// import { int, list, optionalUrl, ratio } from "./validators.ts";
// lumi:end !redis

/**
 * The one configuration schema: every key the service reads, with its doc
 * line, its default (or none when required) and its environment name.
 * `.env.example` is generated from it (`npm run config:env-example`).
 */
export const configSchema = {
  NODE_ENV: str({
    choices: ["development", "test", "production"],
    default: "production",
    desc: "Runtime mode. Anything but production enables development conveniences (profiling without a token).",
  }),
  OTEL_SERVICE_NAME: str({
    default: "lumi-template",
    desc: "Service name in logs, metrics and traces (OpenTelemetry standard name).",
  }),
  DEPLOYMENT_ENVIRONMENT: str({
    default: "local",
    desc: "Deployment environment name (dev, staging, prod...) reported in logs and telemetry.",
  }),
  SERVICE_COMMIT: str({
    default: "unknown",
    desc: "Source revision of the running build (set by the image build); reported in lumi_build_info.",
  }),
  LOG_REDACT_PATHS: list({
    default: [],
    desc: "Extra log paths to redact, comma-separated pino paths (e.g. body.card.number), added to the built-in secret and PII paths.",
    example: "*.iban,customer.phone",
  }),
  LOG_ACCESS_SAMPLE_RATE: ratio({
    default: 1,
    desc: "Share of successful (< 400) access-log lines written; errors are never sampled.",
  }),
  LOG_ACCESS_SAMPLE_ROUTES: list({
    default: [],
    desc: "Route templates LOG_ACCESS_SAMPLE_RATE applies to (e.g. /v1/items/:id); empty means every route.",
    example: "/v1/items,/v1/items/:id",
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl({
    default: "",
    desc: "Base URL of the OTLP/HTTP collector; traces go to <url>/v1/traces. Empty (and no traces endpoint) leaves tracing off.",
    example: "http://otel-collector:4318",
  }),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl({
    default: "",
    desc: "Full URL spans are sent to, overriding OTEL_EXPORTER_OTLP_ENDPOINT for traces; setting it also turns tracing on.",
    example: "http://otel-collector:4318/v1/traces",
  }),
  OTEL_EXPORTER_OTLP_PROTOCOL: str({
    choices: ["http/protobuf", "http/json"],
    default: "http/protobuf",
    desc: "Encoding of the OTLP/HTTP trace exports.",
  }),
  OTEL_TRACES_SAMPLER: str({
    choices: [
      "parentbased_traceidratio",
      "parentbased_always_on",
      "parentbased_always_off",
      "traceidratio",
      "always_on",
      "always_off",
    ],
    default: "parentbased_traceidratio",
    desc: "Which traces are recorded. The default follows the caller's decision and keeps OTEL_TRACES_SAMPLER_ARG of the traces that start here.",
  }),
  OTEL_TRACES_SAMPLER_ARG: ratio({
    default: 0.1,
    desc: "Share of new traces the traceidratio samplers keep, from 0 to 1.",
  }),
  OTEL_SDK_DISABLED: bool({
    default: false,
    desc: "Turns tracing off even when an OTLP endpoint is set.",
  }),
  LOG_LEVEL: str({
    choices: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
    default: "info",
    desc: "Lowest log level written.",
  }),
  HTTP_HOST: str({ default: "0.0.0.0", desc: "Interface the public HTTP listener binds." }),
  HTTP_PORT: int({ min: 0, max: 65_535 })({
    default: 8080,
    desc: "Port of the public HTTP (REST) listener; 0 picks one.",
  }),
  // lumi:begin rpc
  RPC_HOST: str({ default: "0.0.0.0", desc: "Interface the Connect RPC listener binds." }),
  RPC_PORT: int({ min: 0, max: 65_535 })({
    default: 8081,
    desc: "Port of the Connect/gRPC/gRPC-Web listener; 0 picks one.",
  }),
  // lumi:end rpc
  OPS_HOST: str({
    default: "0.0.0.0",
    desc: "Interface the ops listener binds (health, metrics, profiling). Never expose it publicly.",
  }),
  OPS_PORT: int({ min: 0, max: 65_535 })({
    default: 9090,
    desc: "Port of the ops listener; 0 picks one.",
  }),
  SERVER_KEEP_ALIVE_TIMEOUT_MS: int({ min: 1000 })({
    default: 65_000,
    desc: "Idle keep-alive timeout of HTTP/1.1 connections; keep it above the load balancer's idle timeout (60 s on AWS ALB).",
  }),
  SERVER_HEADERS_TIMEOUT_MS: int({ min: 1000 })({
    default: 10_000,
    desc: "Time a client has to send complete request headers; slower clients are cut off (slowloris).",
  }),
  SERVER_REQUEST_TIMEOUT_MS: int({ min: 1000 })({
    default: 30_000,
    desc: "Time a client has to send a complete request (headers and body). Must be >= SERVER_HEADERS_TIMEOUT_MS.",
  }),
  SERVER_CONNECTIONS_CHECK_INTERVAL_MS: int({ min: 100, max: 60_000 })({
    default: 1_000,
    desc: "How often the header and request timeouts are checked.",
  }),
  SERVER_MAX_HEADER_BYTES: int({ min: 1024, max: 1_048_576 })({
    default: 16_384,
    desc: "Largest request header block accepted; larger ones get 431.",
  }),
  TRUSTED_PROXIES: list({
    default: [],
    desc: "Comma-separated proxies (IPs, CIDRs, or loopback/linklocal/uniquelocal) whose X-Forwarded-For is believed. Empty trusts none.",
    example: "loopback,10.0.0.0/8",
  }),
  HTTP_BODY_LIMIT_BYTES: int({ min: 1, max: 104_857_600 })({
    default: 1_048_576,
    desc: "Largest JSON request body accepted; larger ones get 413.",
  }),
  HTTP_CORS_ORIGINS: list({
    default: [],
    desc: "Comma-separated origins allowed by CORS on the HTTP listener. Empty disables CORS.",
    example: "https://app.example.com",
  }),
  // lumi:begin rpc
  RPC_READ_MAX_BYTES: int({ min: 1, max: 104_857_600 })({
    default: 4_194_304,
    desc: "Largest RPC request message accepted; larger ones fail with resource_exhausted.",
  }),
  RPC_WRITE_MAX_BYTES: int({ min: 1, max: 104_857_600 })({
    default: 4_194_304,
    desc: "Largest RPC response message sent.",
  }),
  RPC_MAX_TIMEOUT_MS: int({ min: 0 })({
    default: 30_000,
    desc: "Upper bound on the deadline a client may ask for; 0 leaves it unbounded.",
  }),
  // lumi:end rpc
  RATE_LIMIT_ENABLED: bool({
    default: true,
    desc: "Whether requests are rate limited per client (token bucket).",
  }),
  RATE_LIMIT_PER_SECOND: int({ min: 1 })({
    default: 100,
    desc: "Tokens each client regains per second.",
  }),
  RATE_LIMIT_BURST: int({ min: 1 })({
    default: 200,
    desc: "Bucket size: the most requests a client can make at once.",
  }),
  // lumi:begin redis
  REDIS_URL: optionalRedisUrl({
    default: "",
    desc: "Redis for the shared cache tier and the shared rate limit (redis:// or rediss://, credentials allowed). Empty: in-process cache and rate limit only. Secret.",
    example: "redis://127.0.0.1:6379",
  }),
  REDIS_KEY_PREFIX: str({
    default: "",
    desc: "Prefix of every Redis key and channel; empty means OTEL_SERVICE_NAME.",
  }),
  REDIS_COMMAND_TIMEOUT_MS: int({ min: 10, max: 5_000 })({
    default: 150,
    desc: "A Redis command without a reply after this long fails; the cache then reads the source and the rate limit uses memory.",
  }),
  // lumi:end redis
  CACHE_L1_MAX_ENTRIES: int({ min: 1, max: 10_000_000 })({
    default: 10_000,
    desc: "Most entries each cache keeps in the process (L1).",
  }),
  CACHE_L1_MAX_BYTES: int({ min: 1_024, max: 4_294_967_296 })({
    default: 16_777_216,
    desc: "Most bytes each cache keeps in the process (L1), counted as serialised key + value.",
  }),
  CACHE_TTL_MS: int({ min: 1, max: 86_400_000 })({
    default: 30_000,
    desc: "How long an instance keeps a cached value in the process (L1) before reading it again.",
  }),
  // lumi:begin redis
  CACHE_L2_TTL_MS: int({ min: 1, max: 604_800_000 })({
    default: 300_000,
    desc: "How long a cached value lives in Redis (L2): the oldest a value can be, unless invalidated sooner.",
  }),
  // lumi:end redis
  CACHE_TTL_JITTER: ratio({
    default: 0.1,
    desc: "Up to this share of each cache TTL is taken off at random, so entries written together expire apart.",
  }),
  CACHE_NEGATIVE_TTL_MS: int({ min: 1, max: 3_600_000 })({
    default: 5_000,
    desc: "How long a cached 'not found' answer lasts.",
  }),
  CACHE_STALE_WHILE_REVALIDATE_MS: int({ min: 0, max: 3_600_000 })({
    default: 5_000,
    desc: "How long past its TTL a cached value is still served while one refresh runs; 0 turns it off.",
  }),
  SHUTDOWN_DRAIN_DELAY_MS: int({ min: 0, max: 300_000 })({
    default: 0,
    desc: "After SIGTERM, how long to keep serving (readiness already 503) while load balancers drop the instance; ~5000 on Kubernetes.",
  }),
  SHUTDOWN_TIMEOUT_MS: int({ min: 100, max: 300_000 })({
    default: 10_000,
    desc: "After the drain delay, how long in-flight requests get before their connections are force-closed.",
  }),
  AUTH_JWKS_URL: optionalUrl({
    default: "",
    desc: "JWKS URL of the token issuer. Empty: protected routes and procedures answer 401 (see AUTH_DISABLE_FOR_DEVELOPMENT).",
    example: "https://id.example.com/.well-known/jwks.json",
  }),
  AUTH_ISSUER: list({
    default: [],
    desc: "Accepted iss values, comma-separated; required with AUTH_JWKS_URL.",
  }),
  AUTH_AUDIENCE: list({
    default: [],
    desc: "Accepted aud values, comma-separated; required with AUTH_JWKS_URL.",
  }),
  AUTH_ALGORITHMS: list({
    default: [...defaultAlgorithms],
    desc: "Accepted JWS algorithms, comma-separated; asymmetric only (never HS* or none).",
  }),
  AUTH_CLOCK_TOLERANCE_SEC: int({ min: 0, max: 300 })({
    default: 30,
    desc: "Leeway on exp and nbf, in seconds.",
  }),
  AUTH_REQUIRED_CLAIMS: list({
    default: ["exp", "sub"],
    desc: "Claims every token must carry, comma-separated.",
  }),
  AUTH_JWKS_CACHE_MAX_AGE_MS: int({ min: 1000, max: 86_400_000 })({
    default: 600_000,
    desc: "How long a fetched key set is used before it is fetched again; a removed key is refused after at most this long.",
  }),
  AUTH_JWKS_COOLDOWN_MS: int({ min: 0, max: 3_600_000 })({
    default: 30_000,
    desc: "Least time between two key set fetches (an unknown kid triggers at most one per cooldown).",
  }),
  AUTH_JWKS_TIMEOUT_MS: int({ min: 100, max: 60_000 })({
    default: 5_000,
    desc: "Timeout of one key set fetch.",
  }),
  AUTH_JWKS_ALLOW_HTTP: bool({
    default: false,
    desc: "Allow a plain-http AUTH_JWKS_URL that is not on loopback (tests, local identity providers).",
  }),
  AUTH_DISABLE_FOR_DEVELOPMENT: bool({
    default: false,
    desc: "Every request is the developer principal with every scope. Refused when NODE_ENV=production.",
  }),
  ...databaseConfigSchema,
  PROFILING_ENABLED: bool({
    default: false,
    desc: "Enables the /debug/pprof routes on the ops listener.",
  }),
  PROFILING_TOKEN: str({
    default: "",
    desc: "Bearer token required by the profiling routes outside development. Secret.",
  }),
};

/** Keys whose values are secrets: redacted in logs, never printed. */
export const secretKeys: ReadonlySet<keyof typeof configSchema> = new Set([
  "PROFILING_TOKEN",
  // lumi:begin redis
  "REDIS_URL",
  // lumi:end redis
  "DATABASE_URL",
]);
