export { fullJitterDelay, parseRetryAfter } from "./backoff.ts";
export type { BreakerOptions } from "./breaker.ts";
// lumi:begin rpc
export type {
  ConnectClient,
  ConnectClientTransportOptions,
  UnaryClient,
} from "./connect-client.ts";
export { createConnectClient, faultCodes, traceContextInterceptor } from "./connect-client.ts";
// lumi:end rpc
export type {
  AttemptFn,
  AttemptInfo,
  Dependency,
  DependencyOptions,
  ExecuteOptions,
} from "./dependency.ts";
export { defineDependency } from "./dependency.ts";
export type {
  DependencyConfig,
  DependencyConfigIssue,
  DependencyDefaults,
  DependencyKey,
} from "./dependency-config.ts";
export {
  dependencyEnvPrefix,
  describeDependencyKeys,
  loadDependencyConfig,
} from "./dependency-config.ts";
export type {
  ConcurrencyOptions,
  DependencySettings,
  RetryOptions,
} from "./dependency-settings.ts";
export { dependencyDefaults } from "./dependency-settings.ts";
export type {
  HttpClient,
  HttpClientOptions,
  HttpMethodFn,
  HttpRequestInit,
  RequestBody,
} from "./http-client.ts";
export { createHttpClient, idempotentMethods, retryableStatuses } from "./http-client.ts";
export type {
  BreakerState,
  OutboundMetrics,
  OutboundOutcome,
  RejectionReason,
} from "./outbound-metrics.ts";
export {
  breakerStateValues,
  createOutboundMetrics,
  outboundDurationBuckets,
} from "./outbound-metrics.ts";
export type { UpstreamErrorOptions } from "./upstream-error.ts";
export { UpstreamError } from "./upstream-error.ts";
