import type { Router } from "express";
import type { HttpGuard } from "../platform/auth/index.ts";
import type { Logger } from "../platform/logging/index.ts";
import type { Dependency } from "../platform/resilience/index.ts";

/** What the composition root (src/service.ts) hands to the routes and services of src/app. */
export interface AppContext {
  /** Protects a route: `app.guard(requireScopes("orders:read"))`. */
  readonly guard: HttpGuard;
  /** The outbound dependencies of src/app/dependencies.ts, with their policies, by name. */
  readonly dependencies: ReadonlyMap<string, Dependency>;
  readonly logger: Logger;
}

/** Mounts the HTTP routes of one module of src/app. */
export type AppRoutes = (router: Router, app: AppContext) => void;

/**
 * The registration point of this service's own HTTP routes (items aside),
 * mounted by src/service.ts after the items routes. `lumi add route <name>`
 * inserts its entry above the `lumi add route` line: keep that line.
 */
export const appRoutes: readonly AppRoutes[] = [
  // lumi add route: new routes are inserted above this line
];

/** Mounts every entry of {@link appRoutes}. */
export function mountAppRoutes(router: Router, app: AppContext): void {
  for (const mount of appRoutes) mount(router, app);
}
