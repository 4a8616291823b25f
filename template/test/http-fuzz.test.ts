import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type TestService } from "./harness.ts";
import { sendJson } from "./http-support.ts";

const seed = 20_240_601;

let svc: TestService;
let itemPath: string;

beforeAll(async () => {
  svc = await startService({
    RATE_LIMIT_ENABLED: "false",
    SERVER_HEADERS_TIMEOUT_MS: "1000",
    SERVER_REQUEST_TIMEOUT_MS: "2000",
    SERVER_CONNECTIONS_CHECK_INTERVAL_MS: "200",
  });
  const created = await sendJson(`${svc.httpUrl}/v1/items`, "POST", { name: "target" });
  itemPath = created.headers.get("location") ?? "";
});

afterAll(async () => {
  await svc?.stop();
});

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(state: number): () => number {
  let s = state;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface FetchCase {
  readonly label: string;
  readonly path: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

const json = { "content-type": "application/json" };
const nest = (open: string, close: string, depth: number, inner = "") =>
  open.repeat(depth) + inner + close.repeat(depth);
const token = (value: string) => Buffer.from(value).toString("base64url");

/** Requests a client can make with fetch: bodies, headers and queries. */
function fetchCases(): FetchCase[] {
  const next = random(seed);
  const cases: FetchCase[] = [];
  for (let i = 0; i < 60; i++) {
    const bytes = Uint8Array.from({ length: 1 + Math.floor(next() * 2000) }, () =>
      Math.floor(next() * 256),
    );
    const method = i % 2 === 0 ? "POST" : "PATCH";
    cases.push({
      label: `random bytes #${i}`,
      path: method === "POST" ? "/v1/items" : itemPath,
      method,
      headers: { "content-type": "application/json" },
      body: bytes,
    });
  }
  const bodies: Record<string, string> = {
    "nested arrays": nest("[", "]", 100_000),
    "nested objects": nest('{"a":', "}", 50_000, "1"),
    "nested name": `{"name":${nest("[", "]", 10_000)}}`,
    "nested tags": `{"name":"x","tags":${nest("[", "]", 10_000)}}`,
    "huge number": '{"name":"x","version":1e400}',
    "unsafe integer": '{"version":9007199254740993}',
    "negative zero": '{"version":-0}',
    "tiny number": '{"version":1e-400}',
    "long digits": `{"version":${"9".repeat(5000)}}`,
    "bare null": "null",
    "bare number": "42",
    "bare string": '"name"',
    "null fields": '{"name":null,"description":null,"tags":null,"version":null}',
    "null tag": '{"name":"x","tags":[null]}',
    "empty array": "[]",
    "array of items": '[{"name":"x"}]',
    "array of numbers": "[1,2,3]",
    "proto key": '{"__proto__":{"name":"x","version":1},"name":"y"}',
    "constructor key": '{"constructor":{"prototype":{"polluted":true}},"name":"y"}',
    "lone surrogate": '{"name":"\\ud800"}',
    "nul in name": '{"name":"a\\u0000b"}',
    "long name": JSON.stringify({ name: "n".repeat(100_000) }),
    "many tags": JSON.stringify({
      name: "x",
      tags: Array.from({ length: 5000 }, (_, i) => `t${i}`),
    }),
    "many keys": JSON.stringify(
      Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
    ),
    "duplicate keys": '{"name":"a","name":{"x":1}}',
    "trailing garbage": '{"name":"x"}garbage',
    "bom prefix": '\ufeff{"name":"x"}',
    empty: "",
  };
  for (const [label, body] of Object.entries(bodies)) {
    cases.push({ label: `POST ${label}`, path: "/v1/items", method: "POST", body, headers: json });
    cases.push({ label: `PATCH ${label}`, path: itemPath, method: "PATCH", body, headers: json });
  }
  const contentTypes = [
    "application/json; charset=utf-16",
    "application/json; charset=klingon",
    "application/vnd.lumi+json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; boundary=",
    ";;;",
  ];
  for (const type of contentTypes) {
    cases.push({
      label: `content-type ${type}`,
      path: "/v1/items",
      method: "POST",
      headers: { "content-type": type },
      body: '{"name":"x"}',
    });
  }
  for (const encoding of ["gzip", "deflate", "br", "identity", "compress", "gzip, gzip"]) {
    cases.push({
      label: `content-encoding ${encoding}`,
      path: "/v1/items",
      method: "POST",
      headers: { ...json, "content-encoding": encoding },
      body: "\u0001\u0002not compressed at all",
    });
  }
  const queries = [
    "pageSize=1e400",
    "pageSize=-0",
    "pageSize=0x10",
    "pageSize=Infinity",
    "pageSize=%00",
    "pageToken=%ZZ",
    `pageToken=${"t".repeat(600)}`,
    `pageToken=${token('["not-a-date","x"]')}`,
    `pageToken=${token('["2020-01-01T00:00:00Z",5]')}`,
    `pageToken=${token("[]")}`,
    `pageToken=${token("null")}`,
    `pageToken=${token(nest("[", "]", 5000))}`,
    "pageSize[]=1",
    "pageSize[a]=1",
    "__proto__=x&constructor=y",
    "a=%E0%A4%A",
    "&&&==&=",
  ];
  for (const query of queries) {
    cases.push({ label: `query ${query.slice(0, 40)}`, path: `/v1/items?${query}` });
  }
  const ifMatch = ["*", '"99999999999999999999"', 'W/"1", "2"', '""', "W/", '"-1"', '"1e3"'];
  for (const value of ifMatch) {
    cases.push({
      label: `If-Match ${value}`,
      path: itemPath,
      method: "PATCH",
      headers: { ...json, "if-match": value },
      body: '{"name":"x"}',
    });
    cases.push({
      label: `If-None-Match ${value}`,
      path: itemPath,
      headers: { "if-none-match": value },
    });
  }
  return cases;
}

/** Requests only a raw socket can make: odd methods, paths and framing. */
const rawCases: ReadonlyArray<readonly [string, string]> = [
  ...["PROPFIND", "MKCOL", "PURGE", "SEARCH", "LINK", "TRACE", "MERGE", "NOTIFY", "QUERY"].map(
    (method) => [`method ${method}`, `${method} /v1/items HTTP/1.1\r\nHost: x\r\n\r\n`] as const,
  ),
  ["invalid method", "FROB /v1/items HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["lower-case method", "get /v1/items HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["asterisk target", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["asterisk with GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["absolute form", "GET http://example.com/v1/items HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["double slash", "GET //v1//items HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["dot segments", "GET /v1/items/../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["encoded dots", "GET /v1/items/%2e%2e/%2e%2e HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["encoded NUL", "GET /v1/items/%00 HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["bad escape in path", "DELETE /v1/items/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["lone percent", "GET /% HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["long path", `GET /v1/items/${"a".repeat(8000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
  ["space in path", "GET /v1/ items HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["raw high byte in path", "GET /v1/items/\u00ff HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["no Host", "GET /v1/items HTTP/1.1\r\n\r\n"],
  ["HTTP/1.0", "GET /v1/items HTTP/1.0\r\n\r\n"],
  ["HTTP/2.0 line", "GET /v1/items HTTP/2.0\r\nHost: x\r\n\r\n"],
  ["HTTP/9.9", "GET /v1/items HTTP/9.9\r\nHost: x\r\n\r\n"],
  ["not HTTP", "hello there\r\n\r\n"],
  ["binary preamble", "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003"],
  ["header without colon", "GET /v1/items HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"],
  ["obs-fold header", "GET /v1/items HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n"],
  ["NUL in header", "GET /v1/items HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n"],
  ["bare LF lines", "GET /v1/items HTTP/1.1\nHost: x\n\n"],
  [
    "CL and TE together",
    "POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  ],
  [
    "non-numeric Content-Length",
    "POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}",
  ],
  [
    "negative Content-Length",
    "POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}",
  ],
  [
    "conflicting Content-Lengths",
    "POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
  ],
  [
    "bad chunk size",
    "POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n",
  ],
  [
    "unknown transfer coding",
    "POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n{}",
  ],
  [
    "huge chunk size",
    "POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
  ],
  ["pipelined garbage", "GET /v1/items HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n"],
  [
    "upgrade without handler",
    "GET /v1/items HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
  ],
  [
    "expect 100-continue",
    'POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\nExpect: 100-continue\r\n\r\n{"name":"e"}',
  ],
  [
    "unknown expectation",
    "POST /v1/items HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 0\r\n\r\n",
  ],
];

/** The status of the first response on a raw connection, or undefined if it closed without one. */
function rawStatus(data: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = connect(svc.ports.http, "127.0.0.1");
    let received = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
      resolve(status === undefined ? undefined : Number(status));
    };
    const timer = setTimeout(done, 3_000);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (/^HTTP\/1\.[01] 1\d\d /.test(received)) received = received.replace(/^.*?\r\n\r\n/s, "");
      if (/^HTTP\/1\.[01] \d{3} /.test(received)) done();
    });
    socket.on("error", () => {});
    socket.once("close", done);
    socket.end(Buffer.from(data, "latin1"));
  });
}

describe("malformed input", () => {
  it(`when ~200 malformed requests arrive (seed ${seed}), then none gets a 5xx and the service still serves`, async () => {
    const outcomes: string[] = [];
    const cases = fetchCases();
    for (let i = 0; i < cases.length; i += 10) {
      const batch = cases.slice(i, i + 10).map(async (c) => {
        const res = await fetch(`${svc.httpUrl}${c.path}`, {
          method: c.method ?? "GET",
          ...(c.headers === undefined ? {} : { headers: c.headers }),
          ...(c.body === undefined ? {} : { body: c.body }),
        });
        await res.arrayBuffer();
        outcomes.push(`${res.status} ${c.label}`);
      });
      await Promise.all(batch);
    }
    for (let i = 0; i < rawCases.length; i += 10) {
      const batch = rawCases.slice(i, i + 10).map(async ([label, data]) => {
        outcomes.push(`${(await rawStatus(data)) ?? "closed"} raw ${label}`);
      });
      await Promise.all(batch);
    }

    expect(outcomes.length).toBeGreaterThanOrEqual(200);
    expect(outcomes.filter((o) => /^5\d\d /.test(o))).toEqual([]);
    // Every raw case is answered: nothing is dropped without a word.
    expect(outcomes.filter((o) => o.startsWith("closed "))).toEqual([]);
    expect(svc.logs.filter((l) => l.level === "error" || l.level === "fatal")).toEqual([]);

    const list = await fetch(`${svc.httpUrl}/v1/items`);
    expect(list.status).toBe(200);
    expect((await fetch(`${svc.httpUrl}${itemPath}`)).status).toBe(200);
  });
});
