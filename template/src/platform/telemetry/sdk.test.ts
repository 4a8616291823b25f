import { propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { propagatorOf } from "./sdk.ts";

const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const spanId = "00f067aa0ba902b7";
const w3c = { traceparent: `00-${traceId}-${spanId}-01`, baggage: "tenant=acme" };
const b3Single = { b3: `${traceId}-${spanId}-1` };
const b3Multi = { "x-b3-traceid": traceId, "x-b3-spanid": spanId, "x-b3-sampled": "1" };

/** What a propagator reads from `headers` and writes back out of that context. */
function roundTrip(names: string[] | undefined, headers: Record<string, string>) {
  const propagator = propagatorOf(names);
  if (propagator === undefined) return undefined;
  const extracted = propagator.extract(ROOT_CONTEXT, headers, {
    get: (carrier, key) => carrier[key],
    keys: (carrier) => Object.keys(carrier),
  });
  const out: Record<string, string> = {};
  propagator.inject(extracted, out, { set: (carrier, key, value) => (carrier[key] = value) });
  return {
    traceId: trace.getSpanContext(extracted)?.traceId,
    baggage: propagation.getBaggage(extracted)?.getEntry("tenant")?.value,
    out,
  };
}

describe("propagatorOf (OTEL_PROPAGATORS)", () => {
  it("when unset then W3C trace context and baggage are read and written", () => {
    const result = roundTrip(undefined, w3c);
    expect(result).toMatchObject({ traceId, baggage: "acme" });
    expect(Object.keys(result?.out ?? {}).sort()).toEqual(["baggage", "traceparent"]);
  });

  it("when b3 is named then the single B3 header is read and written, and traceparent ignored", () => {
    expect(roundTrip(["b3"], w3c)?.traceId).toBeUndefined();
    const result = roundTrip(["b3"], b3Single);
    expect(result?.traceId).toBe(traceId);
    expect(Object.keys(result?.out ?? {})).toEqual(["b3"]);
  });

  it("when b3multi and tracecontext are named then both header styles are written", () => {
    const result = roundTrip(["b3multi", "tracecontext"], b3Multi);
    expect(result?.traceId).toBe(traceId);
    expect(Object.keys(result?.out ?? {}).sort()).toEqual([
      "traceparent",
      "x-b3-sampled",
      "x-b3-spanid",
      "x-b3-traceid",
    ]);
  });

  it("when none is named then there is no propagator, whatever else is listed", () => {
    expect(propagatorOf(["tracecontext", "none"])).toBeUndefined();
  });

  it("when a name is unknown then it is skipped and the others kept", () => {
    expect(roundTrip(["jaeger", "tracecontext"], w3c)?.traceId).toBe(traceId);
    expect(propagatorOf(["jaeger"])).toBeUndefined();
  });
});
