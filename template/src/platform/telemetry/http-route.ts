import { context } from "@opentelemetry/api";
import { getRPCMetadata, RPCType } from "@opentelemetry/core";

/**
 * Names the current HTTP server span after its route template: the http
 * instrumentation reads the route from the request's RPC metadata when the
 * response ends, sets `http.route` and renames the span `GET /v1/items/:id`.
 * This replaces the express instrumentation, whose layer wrapping costs
 * every request more than its handler span is worth. A no-op when tracing
 * is off (there is no metadata in the context).
 */
export function setHttpRoute(template: string): void {
  const metadata = getRPCMetadata(context.active());
  if (metadata?.type === RPCType.HTTP) metadata.route = template;
}
