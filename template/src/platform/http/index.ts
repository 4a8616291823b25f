export type { HttpAppOptions } from "./app.ts";
export { createHttpApp } from "./app.ts";
export { writeClientError } from "./client-error.ts";
export type { ClientIpResolver } from "./client-ip.ts";
export { clientKey, compileTrust, createClientIpResolver } from "./client-ip.ts";
export { httpErrorFrom } from "./error-middleware.ts";
export type {
  CloseReport,
  Listener,
  ListenerOptions,
  NodeHandler,
  ServerLimits,
} from "./listener.ts";
export { createListener } from "./listener.ts";
export { requireJsonBody, routeOf } from "./middleware.ts";
export { requestIdFrom, requestIdHeader } from "./request-id.ts";
export type { HttpMethod, RouteTable } from "./route-table.ts";
export { createRouteTable } from "./route-table.ts";
