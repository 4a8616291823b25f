import type { DependencyDefaults } from "../platform/resilience/index.ts";

/**
 * The outbound dependencies this service calls, by name, with their default
 * policy. Each is configurable by `DEP_<NAME>_*` variables (see
 * docs/resilience.md) and reaches handlers as `service.dependencies.get(name)`.
 * The template calls nothing yet; a service adds entries here, e.g.
 * `pricing: { baseUrl: "http://pricing:8080", timeoutMs: 300, critical: true }`.
 */
export const dependencies: Readonly<Record<string, DependencyDefaults>> = {};
