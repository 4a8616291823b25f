import autocannon from "autocannon";

/**
 * Runs one autocannon measurement described by the JSON argument and prints
 * the summary as one JSON line. Run pinned to its own core by bench/run.ts.
 */
const options = JSON.parse(process.argv[2] ?? "{}") as {
  url: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  connections: number;
  duration: number;
};
const result = await autocannon({
  url: options.url,
  method: (options.method ?? "GET") as "GET",
  body: options.body,
  headers: options.headers,
  connections: options.connections,
  duration: options.duration,
  pipelining: 1,
});
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
  })}\n`,
);
