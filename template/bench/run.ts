import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createTestIssuer } from "../test/test-issuer.ts";

/**
 * `npm run bench`: measures, in one run on one machine, raw node:http, bare
 * express 5, the golden service's HTTP route with its full middleware stack
 * (tracing off and on), bare connect-node and the golden service's RPC unary
 * call. Servers run pinned to core 0, the load generator (autocannon) to
 * core 1; rounds are interleaved and medians reported, because only ratios
 * within one run are comparable. Not a test: nothing here fails on numbers.
 *
 * Environment: BENCH_ROUNDS (3), BENCH_DURATION seconds (10), BENCH_WARMUP
 * seconds (3), BENCH_CONNECTIONS (50), BENCH_ONLY (comma-separated variant ids).
 */

const templateDir = fileURLToPath(new URL("..", import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const duration = Number(process.env.BENCH_DURATION ?? 10);
const warmup = Number(process.env.BENCH_WARMUP ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const only = new Set((process.env.BENCH_ONLY ?? "").split(",").filter(Boolean));
/**
 * The golden service runs as the image runs it: bundled into dist/ (built
 * first), with the node options and the tracing preload of the Dockerfile's
 * ENTRYPOINT (tracing stays off unless a variant sets an endpoint).
 */
const entrypoint = (() => {
  const line = readFileSync(join(templateDir, "Dockerfile"), "utf8")
    .split("\n")
    .find((l) => l.startsWith("ENTRYPOINT "));
  const argv = JSON.parse(line?.slice("ENTRYPOINT ".length) ?? "[]") as string[];
  if (argv.at(-1) !== "dist/main.js")
    throw new Error("the Dockerfile's ENTRYPOINT must run dist/main.js");
  return argv.slice(1);
})();
/** The entry point's node options and preload, without the script (for bench/servers/golden.ts). */
const nodeOptions = entrypoint.slice(0, -1);
const itemId = "00000000-0000-4000-8000-000000000001";

interface Variant {
  readonly id: string;
  readonly label: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  /** "service" variants are the golden service (ports from env, ready via /readyz). */
  readonly kind: "bare" | "service";
  readonly request: "http" | "rpc";
  /** Headers sent with every request (a bearer token). */
  readonly headers?: Record<string, string>;
  /** The variant this one's throughput is divided by in the cache table. */
  readonly versus?: string;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  readyMs: number;
  rssMb: number;
  /** The server's CPU time (user + system) per request served, in µs. */
  cpuUs: number;
  /** The server's CPU time over the measurement's wall time: below ~95% the load generator, not the server, set the pace. */
  busy: number;
}

// Development mode only so that the items routes run as the development
// principal: the full stack minus token cryptography, which the "jwt"
// variant measures on its own with a local issuer.
const serviceEnv = {
  NODE_ENV: "development",
  AUTH_DISABLE_FOR_DEVELOPMENT: "true",
  LOG_LEVEL: "info",
  RATE_LIMIT_PER_SECOND: "1000000000",
  RATE_LIMIT_BURST: "1000000000",
  HTTP_HOST: "127.0.0.1",
  RPC_HOST: "127.0.0.1",
  OPS_HOST: "127.0.0.1",
};

/** Resolves with a TCP port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A local OTLP/HTTP sink that accepts and discards trace exports, answering
 * an empty export response in the request's encoding (an empty protobuf
 * message is zero bytes).
 */
async function startSink(): Promise<{ url: string; close(): void; exports: () => number }> {
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      count++;
      const json = req.headers["content-type"]?.startsWith("application/json") ?? false;
      res
        .writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" })
        .end(json ? "{}" : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
    exports: () => count,
  };
}

/** Resident set size of a process in MB, from /proc. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** CPU time (user + system) a process has used, in clock ticks (USER_HZ, 100 per second on Linux). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces), from the 3rd: utime is the 14th, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}
const ticksPerSecond = 100;

/** Starts a variant pinned to core 0; resolves with its process, ports and start→ready time. */
async function startVariant(variant: Variant) {
  const started = performance.now();
  if (variant.kind === "bare") {
    const child = spawn("taskset", ["-c", "0", process.execPath, ...variant.args], {
      cwd: templateDir,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.once("data", (chunk) =>
        resolve(Number(/ready (\d+)/.exec(String(chunk))?.[1])),
      );
      child.once("exit", (code) => reject(new Error(`${variant.id} exited with ${code}`)));
    });
    return { child, port, rpcPort: port, readyMs: performance.now() - started };
  }
  const [http, rpc, ops] = [await freePort(), await freePort(), await freePort()];
  const child = spawn("taskset", ["-c", "0", process.execPath, ...variant.args], {
    cwd: templateDir,
    env: {
      PATH: process.env.PATH ?? "",
      ...serviceEnv,
      ...productionStorage,
      ...variant.env,
      HTTP_PORT: String(http),
      RPC_PORT: String(rpc),
      OPS_PORT: String(ops),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${ops}/readyz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`${variant.id} exited with ${child.exitCode}`);
    await sleep(5);
  }
  const readyMs = performance.now() - started;
  // The items the benchmark reads.
  const created = await fetch(`http://127.0.0.1:${http}/v1/items`, {
    method: "POST",
    headers: { "content-type": "application/json", ...variant.headers },
    body: JSON.stringify({ name: "bench", tags: ["bench"] }),
  });
  const { id } = (await created.json()) as { id: string };
  return { child, port: http, rpcPort: rpc, readyMs, id };
}

/** Runs autocannon pinned to core 1 and returns its summary. */
function load(
  options: object,
): Promise<{ rps: number; p50: number; p99: number; errors: number; total: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      "taskset",
      ["-c", "1", process.execPath, "bench/load.ts", JSON.stringify(options)],
      { cwd: templateDir, maxBuffer: 1 << 20 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
    );
  });
}

/** Measures one variant once: start, warm up, measure, read RSS, stop. */
async function measure(variant: Variant): Promise<Sample> {
  const { child, port, rpcPort, readyMs, id } = await startVariant(variant);
  const target =
    variant.request === "http"
      ? { url: `http://127.0.0.1:${port}/v1/items/${id ?? itemId}`, headers: variant.headers }
      : {
          url: `http://127.0.0.1:${rpcPort}/lumi.template.v1.ItemService/GetItem`,
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ id: id ?? itemId }),
        };
  await load({ ...target, connections, duration: warmup });
  const pid = child.pid ?? 0;
  const rss = rssMb(pid);
  const ticksBefore = cpuTicks(pid);
  const startedAt = performance.now();
  const { total, ...result } = await load({ ...target, connections, duration });
  const seconds = (performance.now() - startedAt) / 1000;
  const ticks = cpuTicks(pid) - ticksBefore;
  await stop(child);
  return {
    ...result,
    readyMs,
    rssMb: rss,
    cpuUs: total > 0 ? (ticks / ticksPerSecond / total) * 1e6 : Number.NaN,
    busy: ticks / ticksPerSecond / seconds,
  };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** Bundles the service into dist/ as the image's build does (`scripts/bundle.ts`). */
function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["scripts/bundle.ts"], { cwd: templateDir }, (error) =>
      error ? reject(error) : resolve(),
    );
  });
}

/**
 * The storage variants of the items read: a constant (no storage), an L1
 * hit, an L2 hit (L1 kept for 1 ms, so every read asks Redis) and a read
 * with no cache at all (every read a Postgres query).
 */
function cacheVariants(storageEnv: Record<string, string>): Variant[] {
  const golden = [...nodeOptions, "bench/servers/golden.ts"];
  const read = { kind: "service", request: "http" } as const;
  return [
    {
      id: "read-constant",
      label: "route returning a constant",
      args: golden,
      env: { ...storageEnv, BENCH_STORAGE: "constant" },
      versus: "read-constant",
      ...read,
    },
    {
      id: "read-l1",
      label: "L1 hit (lru-cache)",
      args: golden,
      env: storageEnv,
      versus: "read-constant",
      ...read,
    },
    {
      id: "read-l2",
      label: "L2 hit (Redis)",
      args: golden,
      env: { ...storageEnv, CACHE_TTL_MS: "1" },
      versus: "read-constant",
      ...read,
    },
    {
      id: "read-uncached",
      label: "uncached read (Postgres query)",
      args: golden,
      env: { ...storageEnv, BENCH_STORAGE: "uncached" },
      versus: "read-constant",
      ...read,
    },
  ];
}

/** Creates the benchmark's own Postgres database when it is missing. */
async function benchDatabase(): Promise<string> {
  const { default: pg } = await import("pg");
  const admin = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/test" });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'lumi_bench'");
  if (exists.rowCount === 0) await admin.query("CREATE DATABASE lumi_bench");
  await admin.end();
  return "postgres://postgres@127.0.0.1:5432/lumi_bench";
}

/**
 * Storage as in production: Postgres and Redis. Without them the service
 * would start the embedded store, whose start-up (~1.4 s) and memory
 * (~400 MB) are not what production pays.
 */
let productionStorage: Record<string, string> = {};

async function main(): Promise<void> {
  await build();
  const storageEnv = {
    DATABASE_URL: await benchDatabase(),
    DATABASE_MIGRATE_ON_START: "true",
    REDIS_URL: "redis://127.0.0.1:6379",
    REDIS_KEY_PREFIX: `bench-${process.pid}`,
  };
  productionStorage = storageEnv;
  const sink = await startSink();
  const tracingOn = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url };
  const issuer = await createTestIssuer();
  // Valid for the whole run, however long it takes.
  const token = await issuer.sign({
    sub: "bench",
    scope: "items:read items:write",
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  const jwtEnv = {
    AUTH_DISABLE_FOR_DEVELOPMENT: "false",
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
  };
  const variants: Variant[] = [
    {
      id: "raw",
      label: "raw node:http",
      args: ["bench/servers/raw-http.ts"],
      kind: "bare",
      request: "http",
    },
    {
      id: "express",
      label: "bare express 5",
      args: ["bench/servers/bare-express.ts"],
      kind: "bare",
      request: "http",
    },
    {
      id: "http",
      label: "golden HTTP, full stack, tracing off",
      args: entrypoint,
      kind: "service",
      request: "http",
    },
    {
      id: "http-traced",
      label: "golden HTTP, full stack, tracing on (default sampler)",
      args: entrypoint,
      env: tracingOn,
      kind: "service",
      request: "http",
    },
    {
      id: "http-jwt",
      label: "golden HTTP, full stack with RS256 token verification, tracing off",
      args: entrypoint,
      env: jwtEnv,
      headers: { authorization: `Bearer ${token}` },
      kind: "service",
      request: "http",
    },
    ...cacheVariants(storageEnv),
    {
      id: "connect",
      label: "bare connect-node unary",
      args: ["bench/servers/bare-connect.ts"],
      kind: "bare",
      request: "rpc",
    },
    {
      id: "rpc",
      label: "golden RPC unary, all interceptors",
      args: entrypoint,
      kind: "service",
      request: "rpc",
    },
  ].filter((variant) => only.size === 0 || only.has(variant.id)) as Variant[];

  const samples = new Map<string, Sample[]>(variants.map((variant) => [variant.id, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants) {
      const sample = await measure(variant);
      samples.get(variant.id)?.push(sample);
      process.stderr.write(
        `round ${round}/${rounds} ${variant.id}: ${Math.round(sample.rps)} req/s, ${sample.cpuUs.toFixed(1)} µs CPU/req, server busy ${Math.round(sample.busy * 100)}%, p99 ${sample.p99} ms, errors ${sample.errors}\n`,
      );
    }
  }
  sink.close();
  await issuer.close();

  const summary = new Map(
    [...samples].map(([id, list]) => [
      id,
      {
        rps: median(list.map((s) => s.rps)),
        p50: median(list.map((s) => s.p50)),
        p99: median(list.map((s) => s.p99)),
        errors: list.reduce((sum, s) => sum + s.errors, 0),
        readyMs: median(list.map((s) => s.readyMs)),
        rssMb: median(list.map((s) => s.rssMb)),
        cpuUs: median(list.map((s) => s.cpuUs)),
        busy: median(list.map((s) => s.busy)),
      },
    ]),
  );
  const express = summary.get("express");
  const connect = summary.get("connect");
  const lines = [
    `Node ${process.version}, ${rounds} rounds × ${duration} s (warm-up ${warmup} s), ${connections} connections; medians.`,
    "",
    "Throughput ratios divide req/s. CPU ratios divide the server's CPU time per request the other",
    "way round (baseline ÷ variant): the throughput ratio a whole core would give, which other work",
    "on a shared machine moves much less. Busy is the server's CPU time over the run's wall time.",
    "",
    "| variant | req/s | p50 ms | p99 ms | errors | CPU µs/req | busy | ÷ bare express (req/s, CPU) | ÷ bare connect (req/s, CPU) | start→ready ms | RSS MB after warm-up |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  const versus = (s: Sample, base: Sample | undefined) =>
    base === undefined
      ? ""
      : `${(s.rps / base.rps).toFixed(2)}, ${(base.cpuUs / s.cpuUs).toFixed(2)}`;
  for (const variant of variants) {
    const s = summary.get(variant.id);
    if (s === undefined) continue;
    const vsExpress = variant.request === "http" ? versus(s, express) : "";
    const vsConnect = variant.request === "rpc" ? versus(s, connect) : "";
    lines.push(
      `| ${variant.label} | ${Math.round(s.rps)} | ${s.p50} | ${s.p99} | ${s.errors} | ${s.cpuUs.toFixed(1)} | ${Math.round(s.busy * 100)}% | ${vsExpress} | ${vsConnect} | ${Math.round(s.readyMs)} | ${s.rssMb} |`,
    );
  }
  const cached = variants.filter((variant) => variant.versus !== undefined);
  if (cached.length > 0) {
    lines.push(
      "",
      "| cached item read (GET /v1/items/:id) | req/s | p50 ms | p99 ms | errors | CPU µs/req | ÷ same route returning a constant (req/s, CPU) |",
      "|---|---|---|---|---|---|---|",
    );
    for (const variant of cached) {
      const s = summary.get(variant.id);
      if (s === undefined) continue;
      lines.push(
        `| ${variant.label} | ${Math.round(s.rps)} | ${s.p50} | ${s.p99} | ${s.errors} | ${s.cpuUs.toFixed(1)} | ${versus(s, summary.get(variant.versus ?? ""))} |`,
      );
    }
  }
  lines.push("", `Trace exports received by the local sink: ${sink.exports()}.`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
