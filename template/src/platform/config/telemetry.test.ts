import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load.ts";
import { loadTelemetryConfig } from "./telemetry.ts";

const options = { version: "1.2.3" };

describe("loadTelemetryConfig", () => {
  it("when no endpoint is set then tracing is off, with the documented defaults", () => {
    expect(loadTelemetryConfig({}, options)).toEqual({
      enabled: false,
      serviceName: "lumi-template",
      serviceVersion: "1.2.3",
      deploymentEnvironment: "local",
      tracesUrl: "",
      protocol: "http/protobuf",
      sampler: "parentbased_traceidratio",
      samplerRatio: 0.1,
    });
  });

  it("when the base endpoint is set then spans go to its /v1/traces", () => {
    const config = loadTelemetryConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/", OTEL_SERVICE_NAME: "orders" },
      options,
    );
    expect(config).toMatchObject({
      enabled: true,
      serviceName: "orders",
      tracesUrl: "http://collector:4318/v1/traces",
    });
  });

  it("when the traces endpoint is set then it is used as is, even without a base endpoint", () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://otlp.example.com/custom/traces" };
    expect(loadTelemetryConfig(env, options)).toMatchObject({
      enabled: true,
      tracesUrl: "https://otlp.example.com/custom/traces",
    });
    expect(
      loadTelemetryConfig({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, options)
        .tracesUrl,
    ).toBe("https://otlp.example.com/custom/traces");
  });

  it("when OTEL_SDK_DISABLED is true then tracing is off whatever the endpoint", () => {
    const config = loadTelemetryConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" },
      options,
    );
    expect(config.enabled).toBe(false);
  });

  it("when the sampler keys are set then they are parsed", () => {
    const config = loadTelemetryConfig(
      { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" },
      options,
    );
    expect(config).toMatchObject({ sampler: "traceidratio", samplerRatio: 0.25 });
  });

  it("when tracing keys are invalid then one ConfigError names each", () => {
    let error: unknown;
    try {
      loadTelemetryConfig(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318",
          OTEL_TRACES_SAMPLER: "sometimes",
          OTEL_TRACES_SAMPLER_ARG: "2",
          OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
          HTTP_PORT: "not checked here",
        },
        options,
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.key).sort()).toEqual([
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "OTEL_EXPORTER_OTLP_PROTOCOL",
      "OTEL_TRACES_SAMPLER",
      "OTEL_TRACES_SAMPLER_ARG",
    ]);
  });

  it("when a tracing key is invalid then the service's own boot reports it too", () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://collector" }, options)).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https URL/,
    );
  });
});
