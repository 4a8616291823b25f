import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { Code, ConnectError, createClient, type HandlerContext } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.ts";
import { createNodeAdapter, type NodeAdapter, universalRequest } from "./node-adapter.ts";

/** What the handlers saw, for the assertions. */
const seen: { contexts: HandlerContext[]; errors: unknown[] } = { contexts: [], errors: [] };
/** Resolves when a Watch call has sent its first message and is waiting. */
let watching: PromiseWithResolvers<HandlerContext> = Promise.withResolvers();

function adapter(): NodeAdapter {
  return createNodeAdapter({
    routes: (router) =>
      router.service(Health, {
        check: (_req, ctx) => {
          seen.contexts.push(ctx);
          return { status: HealthCheckResponse_ServingStatus.SERVING };
        },
        async *watch(_req, ctx) {
          seen.contexts.push(ctx);
          yield { status: HealthCheckResponse_ServingStatus.SERVING };
          watching.resolve(ctx);
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
        },
      }),
    onError: (error) => seen.errors.push(error),
  });
}

/** Waits until a signal aborts, or fails after a second. */
function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the signal did not abort")), 1000);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(signal.reason);
    });
  });
}

/**
 * Serves an adapter over HTTP/1.1 or HTTP/2 on a free port for the tests of
 * one describe block; `base` is its URL once they run.
 */
function useServer(version: 1 | 2, make: () => NodeAdapter = adapter) {
  const context = { base: "", port: 0 };
  let server: http.Server | http2.Http2Server;
  beforeAll(async () => {
    const handle = make();
    server =
      version === 1
        ? http.createServer((req, res) => handle(req, res))
        : http2.createServer((req, res) => handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    context.port = (server.address() as AddressInfo).port;
    context.base = `http://127.0.0.1:${context.port}`;
  });
  afterAll(() => {
    if ("closeAllConnections" in server) server.closeAllConnections();
    server.close();
  });
  return context;
}

describe("the Node adapter over HTTP/1.1", () => {
  const served = useServer(1);

  it("when the handler reads request headers then repeated ones arrive joined and the URL carries the query", async () => {
    seen.contexts.length = 0;
    const res = await fetch(`${served.base}/grpc.health.v1.Health/Check?x=1`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-two": "a, b" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    const [ctx] = seen.contexts;
    expect(ctx?.requestHeader.get("x-two")).toBe("a, b");
    expect(ctx?.url).toBe(`${served.base}/grpc.health.v1.Health/Check?x=1`);
  });

  it("when the client goes away during a streaming call then the handler's signal aborts with canceled", async () => {
    watching = Promise.withResolvers();
    const abort = new AbortController();
    const client = createClient(
      Health,
      createConnectTransport({ baseUrl: served.base, httpVersion: "1.1" }),
    );
    const stream = client.watch({}, { signal: abort.signal });
    const first = await stream[Symbol.asyncIterator]().next();
    expect(first.done).toBe(false);
    const ctx = await watching.promise;
    abort.abort();
    const reason = await aborted(ctx.signal);
    expect(reason).toBeInstanceOf(ConnectError);
    expect((reason as ConnectError).code).toBe(Code.Canceled);
    // A cancelled call is not an error to report.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.errors).toEqual([]);
  });

  it("when the path is no procedure then the answer is 404 with no body", async () => {
    const res = await fetch(`${served.base}/grpc.health.v1.Health/Nope`, {
      method: "POST",
      body: "{}",
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("");
  });

  it.each([
    ["HTTP/1.0 without a Host header", ""],
    ["a Host header that makes no URL", "Host: a b\r\n"],
  ])(
    "when a request comes with %s then it is answered 400 and the server keeps serving",
    async (_what, host) => {
      const { port } = served;
      const answer = await new Promise<string>((resolve, reject) => {
        let received = "";
        const socket = net.connect(port, "127.0.0.1", () => {
          socket.write(
            `POST /grpc.health.v1.Health/Check HTTP/1.0\r\n${host}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
          );
        });
        socket.on("data", (chunk) => {
          received += String(chunk);
        });
        socket.on("end", () => resolve(received));
        socket.on("error", reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      const client = createClient(
        Health,
        createConnectTransport({ baseUrl: served.base, httpVersion: "1.1" }),
      );
      expect((await client.check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    },
  );
});

describe("the Node adapter over HTTP/2", () => {
  const served = useServer(2);

  it("when the client resets the stream then the handler's signal aborts with canceled", async () => {
    watching = Promise.withResolvers();
    const abort = new AbortController();
    const transport = createGrpcTransport({ baseUrl: served.base });
    const stream = createClient(Health, transport).watch({}, { signal: abort.signal });
    await stream[Symbol.asyncIterator]().next();
    const ctx = await watching.promise;
    abort.abort();
    const reason = await aborted(ctx.signal);
    expect((reason as ConnectError).code).toBe(Code.Canceled);
  });
});

describe("the universal request's signal", () => {
  /** Serves one request that `answer` answers (or not), handing out its universal request's signal. */
  async function serve(
    version: 1 | 2,
    answer: (res: http.ServerResponse | http2.Http2ServerResponse) => void,
  ) {
    const signal = Promise.withResolvers<AbortSignal>();
    const handle = (
      req: http.IncomingMessage | http2.Http2ServerRequest,
      res: http.ServerResponse | http2.Http2ServerResponse,
    ) => {
      signal.resolve(universalRequest(req, res, "http://localhost/p", undefined).signal);
      answer(res);
    };
    const server = version === 1 ? http.createServer(handle) : http2.createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { server, port, signal: signal.promise };
  }

  it.each([1, 2] as const)(
    "when a response over HTTP/%s completes then the signal never aborts",
    async (version) => {
      const { server, port, signal } = await serve(version, (res) => res.end("done"));
      if (version === 1) {
        expect(await (await fetch(`http://127.0.0.1:${port}/p`)).text()).toBe("done");
      } else {
        const session = http2.connect(`http://127.0.0.1:${port}`);
        const stream = session.request({ ":path": "/p" });
        stream.resume();
        await new Promise((resolve) => stream.once("close", resolve));
        session.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await signal).aborted).toBe(false);
      server.close();
    },
  );

  it("when an HTTP/1.1 client drops the connection before the response then the signal aborts with canceled", async () => {
    const { server, port, signal } = await serve(1, () => {});
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write("GET /p HTTP/1.1\r\nHost: localhost\r\n\r\n");
    });
    const requestSignal = await signal;
    expect(requestSignal.aborted).toBe(false);
    socket.destroy();
    const reason = await aborted(requestSignal);
    expect((reason as ConnectError).code).toBe(Code.Canceled);
    server.close();
  });
});

describe("unary responses over HTTP/2 with gRPC", () => {
  const served = useServer(2, () =>
    createNodeAdapter({
      routes: (router) =>
        router.service(Health, {
          check: (req, ctx) => {
            if (req.service === "missing") throw new ConnectError("no such service", Code.NotFound);
            ctx.responseHeader.append("set-cookie", "a=1");
            ctx.responseHeader.append("set-cookie", "b=2");
            ctx.responseTrailer.set("x-trailer", "t");
            return { status: HealthCheckResponse_ServingStatus.SERVING };
          },
          watch: () => {
            throw new ConnectError("unused", Code.Unimplemented);
          },
        }),
      onError: (error) => seen.errors.push(error),
    }),
  );

  it("when a call succeeds then the message, repeated headers and the trailers arrive", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl: served.base }));
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const res = await client.check(
      {},
      {
        onHeader: (h) => {
          header = h;
        },
        onTrailer: (t) => {
          trailer = t;
        },
      },
    );
    expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect(header?.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(trailer?.get("x-trailer")).toBe("t");
    expect(trailer?.get("grpc-status")).toBe("0");
  });

  it("when a call fails then the client gets its code", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl: served.base }));
    const error = await client.check({ service: "missing" }).catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.NotFound);
    expect(ConnectError.from(error).rawMessage).toBe("no such service");
  });

  it("when the Connect protocol is used then the answer has one body with its length", async () => {
    const session = http2.connect(served.base);
    const stream = session.request({
      ":method": "POST",
      ":path": "/grpc.health.v1.Health/Check",
      "content-type": "application/json",
    });
    stream.end("{}");
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) =>
      stream.once("response", resolve),
    );
    let body = "";
    stream.on("data", (chunk) => {
      body += String(chunk);
    });
    await new Promise((resolve) => stream.once("end", resolve));
    session.close();
    expect(headers[":status"]).toBe(200);
    expect(headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    expect(JSON.parse(body)).toEqual({ status: "SERVING" });
  });
});
