import { describe, expect, it } from "vitest";
import { createMetrics } from "./registry.ts";

const metricsFor = () => createMetrics({ version: "1.2.3", commit: "abc123" });

describe("createMetrics", () => {
  it("when rendered then build info carries version, commit and the Node version", async () => {
    const text = await metricsFor().render();
    expect(text).toContain(
      `lumi_build_info{version="1.2.3",commit="abc123",node_version="${process.version}"} 1`,
    );
  });

  it("when rendered then prom-client's standard runtime metric names are present", async () => {
    const text = await metricsFor().render();
    for (const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
      "nodejs_eventloop_lag_seconds",
      "nodejs_heap_size_used_bytes",
      "nodejs_gc_duration_seconds",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it("when an HTTP request is observed then the OpenTelemetry labels are set and 5xx set error_type", async () => {
    const metrics = metricsFor();
    metrics.observeHttp("GET", "/v1/items/:id", 200, 0.003);
    metrics.observeHttp("POST", "/v1/items", 503, 0.2);
    const text = await metrics.render();
    expect(text).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/v1/items/:id",http_response_status_code="200",error_type=""} 1',
    );
    expect(text).toContain(
      'http_server_request_duration_seconds_bucket{le="0.25",http_request_method="POST",http_route="/v1/items",http_response_status_code="503",error_type="503"} 1',
    );
    expect(text).toContain(
      'http_server_request_duration_seconds_bucket{le="0.1",http_request_method="POST",http_route="/v1/items",http_response_status_code="503",error_type="503"} 0',
    );
  });

  it("when methods are unknown then they share the _OTHER label value", async () => {
    const metrics = metricsFor();
    for (const method of ["PROPFIND", "BREW", "get"])
      metrics.observeHttp(method, "unmatched", 404, 0.001);
    const text = await metrics.render();
    expect(text).toContain(
      'http_server_request_duration_seconds_count{http_request_method="_OTHER",http_route="unmatched",http_response_status_code="404",error_type=""} 3',
    );
  });
  // lumi:begin rpc

  it("when RPCs are observed then server faults set error_type and client errors do not", async () => {
    const metrics = metricsFor();
    metrics.observeRpc("grpc", "lumi.template.v1.ItemService/GetItem", "NOT_FOUND", 0.001);
    metrics.observeRpc("connect_rpc", "lumi.template.v1.ItemService/GetItem", "INTERNAL", 0.001);
    const text = await metrics.render();
    expect(text).toContain(
      'rpc_server_call_duration_seconds_count{rpc_system_name="grpc",rpc_method="lumi.template.v1.ItemService/GetItem",rpc_response_status_code="NOT_FOUND",error_type=""} 1',
    );
    expect(text).toContain(
      'rpc_server_call_duration_seconds_count{rpc_system_name="connect_rpc",rpc_method="lumi.template.v1.ItemService/GetItem",rpc_response_status_code="INTERNAL",error_type="INTERNAL"} 1',
    );
  });
  // lumi:end rpc

  it("when the rate limiter refuses requests then they are counted per surface", async () => {
    const metrics = metricsFor();
    metrics.countRateLimitRejection("http");
    metrics.countRateLimitRejection("http");
    // lumi:begin rpc
    metrics.countRateLimitRejection("rpc");
    // lumi:end rpc
    const text = await metrics.render();
    expect(text).toContain('lumi_rate_limit_rejections_total{surface="http"} 2');
    // lumi:begin rpc
    expect(text).toContain('lumi_rate_limit_rejections_total{surface="rpc"} 1');
    // lumi:end rpc
  });

  it("when two services are built in one process then their registries are separate", async () => {
    const first = metricsFor();
    const second = metricsFor();
    first.countRateLimitRejection("http");
    expect(await second.render()).not.toContain('lumi_rate_limit_rejections_total{surface="http"}');
  });
});
