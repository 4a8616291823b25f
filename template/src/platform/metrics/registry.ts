import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { createOutboundMetrics, type OutboundMetrics } from "../resilience/index.ts";
import { createHistogram } from "./histogram.ts";

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  readonly version: string;
  /** The source revision the running build was made from. */
  readonly commit: string;
}

/** Bucket bounds of the OpenTelemetry HTTP and RPC duration conventions, in seconds. */
export const durationBuckets: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/**
 * The service's metrics: one registry per service instance (never
 * prom-client's global one) holding every metric named in docs/metrics.md.
 */
export interface Metrics {
  readonly registry: Registry;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  readonly contentType: string;
  /** Records one HTTP request (OpenTelemetry `http.server.request.duration`). */
  observeHttp(method: string, route: string, status: number, seconds: number): void;
  // lumi:begin rpc
  /** Records one RPC (OpenTelemetry `rpc.server.call.duration`, semconv v1.40.0). */
  observeRpc(system: RpcSystem, method: string, code: string, seconds: number): void;
  /** Counts a request refused by the rate limiter. */
  countRateLimitRejection(surface: "http" | "rpc"): void;
  // lumi:end rpc
  // lumi:begin !rpc
  // /** Counts a request refused by the rate limiter. */
  // countRateLimitRejection(surface: "http"): void;
  // lumi:end !rpc
  /** Per-dependency outbound metrics (`lumi_outbound_*`), for the resilience layer. */
  readonly outbound: OutboundMetrics;
}
// lumi:begin rpc

/** The `rpc.system.name` values lumi reports. */
export type RpcSystem = "grpc" | "connect_rpc";
// lumi:end rpc

const knownMethods = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
]);

/** A method as the OpenTelemetry HTTP conventions report it: a known method as is, else `_OTHER`. */
export function httpMethodOf(method: string): string {
  return knownMethods.has(method) ? method : "_OTHER";
}
// lumi:begin rpc

/**
 * RPC codes that mean the server, not the client, is at fault: they set
 * `error_type` on the RPC metric and `error.type` on the RPC span.
 */
export const serverFaultCodes: ReadonlySet<string> = new Set([
  "INTERNAL",
  "UNKNOWN",
  "DATA_LOSS",
  "UNAVAILABLE",
  "DEADLINE_EXCEEDED",
]);
// lumi:end rpc

/**
 * Creates the metrics registry: Node runtime metrics under prom-client's
 * standard names, build info, and the HTTP, RPC and rate-limit metrics.
 * Label sets are cached per combination, and the request-path histograms
 * are lean ones (histogram.ts), so recording costs a Map lookup and a
 * bucket increment, not a label validation and hash.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: "lumi_build_info",
    help: "What is running: version, commit and Node.js version (always 1).",
    labelNames: ["version", "commit", "node_version"],
    registers: [registry],
  })
    .labels(options.version, options.commit, process.version)
    .set(1);

  const http = createHistogram({
    name: "http_server_request_duration_seconds",
    help: "Duration of HTTP server requests (OpenTelemetry http.server.request.duration).",
    labelNames: ["http_request_method", "http_route", "http_response_status_code", "error_type"],
    buckets: durationBuckets,
    registry,
  });
  // lumi:begin rpc
  const rpc = createHistogram({
    name: "rpc_server_call_duration_seconds",
    help: "Duration of incoming RPCs (OpenTelemetry rpc.server.call.duration, semconv v1.40.0).",
    labelNames: ["rpc_system_name", "rpc_method", "rpc_response_status_code", "error_type"],
    buckets: durationBuckets,
    registry,
  });
  // lumi:end rpc
  const rejections = new Counter({
    name: "lumi_rate_limit_rejections_total",
    help: "Requests refused by the rate limiter.",
    labelNames: ["surface"],
    registers: [registry],
  });

  const httpChildren = new Map<string, { observe(value: number): void }>();
  // lumi:begin rpc
  const rpcChildren = new Map<string, { observe(value: number): void }>();
  // lumi:end rpc

  return {
    registry,
    outbound: createOutboundMetrics(registry),
    render: () => registry.metrics(),
    contentType: registry.contentType,
    observeHttp(method, route, status, seconds) {
      const normalised = httpMethodOf(method);
      const key = `${normalised}\u0000${route}\u0000${status}`;
      let child = httpChildren.get(key);
      if (child === undefined) {
        child = http.labels(normalised, route, String(status), status >= 500 ? String(status) : "");
        httpChildren.set(key, child);
      }
      child.observe(seconds);
    },
    // lumi:begin rpc
    observeRpc(system, method, code, seconds) {
      const key = `${system}\u0000${method}\u0000${code}`;
      let child = rpcChildren.get(key);
      if (child === undefined) {
        child = rpc.labels(system, method, code, serverFaultCodes.has(code) ? code : "");
        rpcChildren.set(key, child);
      }
      child.observe(seconds);
    },
    // lumi:end rpc
    countRateLimitRejection(surface) {
      rejections.labels(surface).inc();
    },
  };
}
