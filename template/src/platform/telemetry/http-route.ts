import { type Context, context, createContextKey } from "@opentelemetry/api";

/** Where a traced request's route template is written, for its server span. */
export interface HttpRouteSlot {
  route: string | undefined;
}

const routeSlotKey = createContextKey("lumi http route");

/** A context carrying `slot`: {@link setHttpRoute} writes into it while it is active. */
export function withHttpRouteSlot(ctx: Context, slot: HttpRouteSlot): Context {
  return ctx.setValue(routeSlotKey, slot);
}

/**
 * Names the current HTTP server span after its route template: the tracing
 * middleware (platform/http) reads the slot when the response ends, sets
 * `http.route` and renames the span `GET /v1/items/:id`. This replaces the
 * express instrumentation, whose layer wrapping costs every request more
 * than its handler span is worth. A no-op when tracing is off or the
 * request is not sampled (no slot in the context).
 */
export function setHttpRoute(template: string): void {
  const slot = context.active().getValue(routeSlotKey) as HttpRouteSlot | undefined;
  if (slot !== undefined) slot.route = template;
}
