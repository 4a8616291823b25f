import type { DependencyDefaults } from "../platform/resilience/index.ts";

/**
 * The outbound dependencies this service calls, by name, with their default
 * policy. Each is configurable by `DEP_<NAME>_*` variables (see
 * docs/resilience.md) and reaches handlers as `service.dependencies.get(name)`.
 * The template calls nothing yet; a service adds entries here, e.g.
 * `pricing: { baseUrl: "http://pricing:8080", timeoutMs: 300, critical: true }`.
 * `lumi add dependency <name>` inserts its entry above the `lumi add
 * dependency` line: keep that line.
 */
export const dependencies: Readonly<Record<string, DependencyDefaults>> = {
  // lumi add dependency: new entries are inserted above this line
};
