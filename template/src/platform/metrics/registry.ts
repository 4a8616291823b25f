import { collectDefaultMetrics, Registry } from "prom-client";

/** The service's metrics: one registry per service instance, never the global one. */
export interface Metrics {
  readonly registry: Registry;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  readonly contentType: string;
}

/**
 * Creates the metrics registry with Node's runtime metrics under
 * prom-client's standard names (so well-known Node dashboards work).
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
