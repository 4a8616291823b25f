/** The running tracing SDK, as the service sees it. */
export interface Telemetry {
  /** Exports the spans still buffered, then stops the SDK. */
  shutdown(): Promise<void>;
}

/**
 * Where the preload leaves the handle: the preload and the service are
 * loaded separately (`--import`), so a global keyed by a registered symbol
 * is the one place both see.
 */
const telemetryKey = Symbol.for("lumi.telemetry");

/**
 * The tracing SDK started by the `--import` preload, or undefined when
 * tracing is off. The composition root registers it as a resource so that
 * spans are flushed within the shutdown deadline.
 */
export function getTelemetry(): Telemetry | undefined {
  return (globalThis as Record<symbol, Telemetry | undefined>)[telemetryKey];
}

/** Stores the handle {@link getTelemetry} returns (the preload calls it). */
export function setTelemetry(telemetry: Telemetry): void {
  (globalThis as Record<symbol, Telemetry | undefined>)[telemetryKey] = telemetry;
}
