export { clientIpKey, loggerKey, requestIdKey } from "./context.ts";
export { connectCodes, errorDomain, toConnectError } from "./errors.ts";
export { createHealthService } from "./health.ts";
export {
  loggingInterceptor,
  rateLimitInterceptor,
  recoveryInterceptor,
  requestIdInterceptor,
} from "./interceptors.ts";
export type { RpcHandlerOptions } from "./server.ts";
export { createRpcHandler } from "./server.ts";
export { tracingInterceptor } from "./tracing-interceptor.ts";
