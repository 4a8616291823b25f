import http from "node:http";
// lumi:begin rpc
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
// lumi:end rpc
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// lumi:begin rpc
import { ItemService } from "../src/gen/lumi/template/v1/items_pb.ts";
// lumi:end rpc
import { startService, type TestService } from "./harness.ts";
import { get } from "./load-client.ts";

/** The sample lines of one metric family in a scrape. */
function series(scrape: string, name: string): string[] {
  return scrape
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

async function scrape(svc: TestService): Promise<string> {
  return (await fetch(`${svc.opsUrl}/metrics`)).text();
}

describe("metrics on the ops port", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startService({ RATE_LIMIT_BURST: "10000", RATE_LIMIT_PER_SECOND: "10000" });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it("when HTTP requests are served then they are recorded by route template, never by raw path", async () => {
    const created = await fetch(`${svc.httpUrl}/v1/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "metered" }),
    });
    const { id } = (await created.json()) as { id: string };
    await fetch(`${svc.httpUrl}/v1/items/${id}`);
    const text = await scrape(svc);
    const lines = series(text, "http_server_request_duration_seconds_count");
    expect(lines).toContain(
      'http_server_request_duration_seconds_count{http_request_method="POST",http_route="/v1/items",http_response_status_code="201",error_type=""} 1',
    );
    expect(lines).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/v1/items/:id",http_response_status_code="200",error_type=""} 1',
    );
    expect(text).not.toContain(id);
  });

  it("when 10,000 random unknown paths are requested then no new series appear", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    await get(agent, `${svc.httpUrl}/warm-up-unknown`);
    const before = (await scrape(svc)).split("\n").filter((line) => !line.startsWith("#"));
    const beforeNames = new Set(before.map((line) => line.slice(0, line.lastIndexOf(" "))));
    let sent = 0;
    const worker = async () => {
      while (sent < 10_000) {
        sent++;
        const res = await get(
          agent,
          `${svc.httpUrl}/${Math.random().toString(36).slice(2)}/${sent}`,
        );
        expect(res.status).toBe(404);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    agent.destroy();
    const after = (await scrape(svc)).split("\n").filter((line) => !line.startsWith("#"));
    const added = after
      .map((line) => line.slice(0, line.lastIndexOf(" ")))
      .filter((key) => !beforeNames.has(key) && key.startsWith("http_"));
    expect(added).toEqual([]);
    expect(series(after.join("\n"), "http_server_request_duration_seconds_count")).toContainEqual(
      expect.stringMatching(/http_route="unmatched",http_response_status_code="404".* (\d+)$/),
    );
  }, 60_000);
  // lumi:begin rpc

  it("when RPCs are served over gRPC and Connect then each system and code is recorded", async () => {
    const grpc = createClient(ItemService, createGrpcTransport({ baseUrl: svc.rpcUrl }));
    const connect = createClient(
      ItemService,
      createConnectTransport({ baseUrl: svc.rpcUrl, httpVersion: "1.1" }),
    );
    await grpc.listItems({});
    await connect.getItem({ id: "00000000-0000-4000-8000-000000000000" }).catch(() => undefined);
    const lines = series(await scrape(svc), "rpc_server_call_duration_seconds_count");
    expect(lines).toContain(
      'rpc_server_call_duration_seconds_count{rpc_system_name="grpc",rpc_method="lumi.template.v1.ItemService/ListItems",rpc_response_status_code="OK",error_type=""} 1',
    );
    expect(lines).toContain(
      'rpc_server_call_duration_seconds_count{rpc_system_name="connect_rpc",rpc_method="lumi.template.v1.ItemService/GetItem",rpc_response_status_code="NOT_FOUND",error_type=""} 1',
    );
  });
  // lumi:end rpc
  // lumi:begin rpc

  it("when an unknown procedure is called then it is recorded as _OTHER", async () => {
    await fetch(`${svc.rpcUrl}/no.such.v1.Service/Method`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const lines = series(await scrape(svc), "rpc_server_call_duration_seconds_count");
    expect(lines.some((line) => line.includes('rpc_method="_OTHER"'))).toBe(true);
    expect(lines.some((line) => line.includes("no.such"))).toBe(false);
  });
  // lumi:end rpc
});

describe("rate-limit rejections and access-log sampling", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startService({
      RATE_LIMIT_BURST: "2",
      RATE_LIMIT_PER_SECOND: "1",
      LOG_ACCESS_SAMPLE_RATE: "0",
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it("when the bucket empties then rejections are counted and the error lines are never sampled", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${svc.httpUrl}/v1/items`)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    const text = await scrape(svc);
    expect(series(text, "lumi_rate_limit_rejections_total")).toContain(
      'lumi_rate_limit_rejections_total{surface="http"} 2',
    );
    const access = svc.logs.filter((line) => line.msg === "request");
    // Sampling at 0 drops the successful lines; the 429s are always written.
    expect(access.map((line) => line.status)).toEqual([429, 429]);
    // Metrics still count every request.
    expect(series(text, "http_server_request_duration_seconds_count")).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/v1/items",http_response_status_code="200",error_type=""} 2',
    );
  });
});
