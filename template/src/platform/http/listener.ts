import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2 from "node:http2";
import net, { type AddressInfo, type Socket } from "node:net";
import type { Logger } from "pino";

/** Timeouts and limits shared by every listener, set through server options. */
export interface ServerLimits {
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly connectionsCheckIntervalMs: number;
  readonly maxHeaderBytes: number;
}

/** A request handler usable by both node:http and node:http2 servers. */
export type NodeHandler = (
  req: IncomingMessage | http2.Http2ServerRequest,
  res: ServerResponse | http2.Http2ServerResponse,
) => void;

/** Options of {@link createListener}. */
export interface ListenerOptions {
  /** Name in logs ("http", "rpc", "ops"). */
  readonly name: string;
  readonly handler: NodeHandler;
  readonly limits: ServerLimits;
  readonly logger: Logger;
  /**
   * Serve HTTP/2 without TLS (h2c, prior knowledge) beside HTTP/1.1 on the
   * same port: each connection is routed by its first bytes.
   */
  readonly h2c?: boolean;
  /** Called for client errors such as oversized headers (before any handler). */
  readonly onClientError?: (error: Error & { code?: string }, socket: Socket) => void;
}

/** What {@link Listener.close} had to do. */
export interface CloseReport {
  /** Connections still open at the deadline, destroyed. */
  readonly forced: number;
}

/** One listening port with graceful drain. */
export interface Listener {
  readonly name: string;
  /** Binds the port (0 picks one) and resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** The bound port, once listening. */
  readonly port: number | undefined;
  /**
   * Starts draining while still serving: HTTP/1.1 responses carry
   * `Connection: close`. HTTP/2 sessions are told at close() (GOAWAY).
   */
  beginDrain(): void;
  /**
   * Stops accepting, closes idle connections, lets in-flight requests finish
   * and destroys whatever is still open after `timeoutMs`.
   */
  close(timeoutMs: number): Promise<CloseReport>;
}

const h2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * Creates a listener around node:http (and node:http2 for h2c) with every
 * timeout set through the server options, so Node validates them, and with
 * connection tracking for a graceful drain.
 */
export function createListener(options: ListenerOptions): Listener {
  const { limits, logger, name } = options;
  const sockets = new Set<Socket>();
  const inflight = new Map<Socket, number>();
  const pendingResponses = new Set<ServerResponse>();
  const sessions = new Set<http2.ServerHttp2Session>();
  const unrouted = new Set<Socket>();
  let draining = false;
  let closing = false;
  let port: number | undefined;

  const h1 = http.createServer({
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.connectionsCheckIntervalMs,
    maxHeaderSize: limits.maxHeaderBytes,
  });
  h1.on("connection", (socket: Socket) => track(socket));
  h1.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    inflight.set(socket, (inflight.get(socket) ?? 0) + 1);
    if (draining) res.setHeader("Connection", "close");
    else pendingResponses.add(res);
    res.once("close", () => {
      pendingResponses.delete(res);
      const left = (inflight.get(socket) ?? 1) - 1;
      inflight.set(socket, left);
      if (closing && left === 0) socket.end();
    });
  });
  h1.on("request", options.handler);
  h1.on("clientError", (error: Error & { code?: string }, socket: Socket) => {
    if (options.onClientError) options.onClientError(error, socket);
    else socket.destroy();
  });

  let h2: http2.Http2Server | undefined;
  let front: net.Server = h1;
  if (options.h2c) {
    h2 = http2.createServer({ maxSessionMemory: 10 });
    h2.setTimeout(limits.keepAliveTimeoutMs);
    h2.on("session", (session: http2.ServerHttp2Session) => {
      sessions.add(session);
      session.once("close", () => sessions.delete(session));
    });
    h2.on("request", options.handler);
    const h2server = h2;
    front = net.createServer((socket) => route(socket, h1, h2server));
    // h1 never listens itself: start its header/request timeout checks.
    front.on("listening", () => h1.emit("listening"));
  }

  function track(socket: Socket): void {
    if (sockets.has(socket)) return;
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      inflight.delete(socket);
    });
  }

  /** Hands a raw connection to the HTTP/2 or the HTTP/1.1 server by its first bytes. */
  function route(socket: Socket, h1server: http.Server, h2server: http2.Http2Server): void {
    track(socket);
    unrouted.add(socket);
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), limits.headersTimeoutMs);
    // Paused-mode reads: the chosen server must find the bytes still buffered.
    const onReadable = () => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read()) {
        received = Buffer.concat([received, chunk]);
      }
      const n = Math.min(received.length, h2Preface.length);
      const isPrefix = received.subarray(0, n).equals(h2Preface.subarray(0, n));
      if (isPrefix && received.length < h2Preface.length) return;
      clearTimeout(timer);
      unrouted.delete(socket);
      socket.off("readable", onReadable);
      socket.off("error", onError);
      socket.unshift(received);
      (isPrefix ? h2server : h1server).emit("connection", socket);
    };
    const onError = () => {
      clearTimeout(timer);
      socket.destroy();
    };
    socket.on("readable", onReadable);
    socket.on("error", onError);
    socket.once("close", () => {
      clearTimeout(timer);
      unrouted.delete(socket);
    });
  }

  /**
   * Closes a session gracefully: a ping round trip first lets streams the
   * client already sent arrive, then GOAWAY names the last one processed and
   * the session ends when its streams finish.
   */
  function closeAfterPing(session: http2.ServerHttp2Session): void {
    const close = () => {
      if (!session.closed && !session.destroyed) session.close();
    };
    try {
      if (!session.ping(close)) close();
    } catch {
      close();
    }
  }

  return {
    name,
    get port() {
      return port;
    },
    listen(wanted, host) {
      return new Promise((resolve, reject) => {
        front.once("error", reject);
        front.listen(wanted, host, () => {
          front.off("error", reject);
          port = (front.address() as AddressInfo).port;
          resolve(port);
        });
      });
    },
    beginDrain() {
      if (draining) return;
      draining = true;
      for (const res of pendingResponses) {
        if (!res.headersSent) res.setHeader("Connection", "close");
      }
      pendingResponses.clear();
      // HTTP/2 sessions keep serving until close(): a GOAWAY racing with
      // streams the client is opening makes Node clients fail them.
    },
    async close(timeoutMs) {
      this.beginDrain();
      closing = true;
      const deadline = Date.now() + timeoutMs;
      // The close callbacks wait for every connection: do not await them.
      front.close();
      if (front !== h1) h1.close();
      h1.closeIdleConnections();
      for (const socket of unrouted) socket.destroy();
      for (const [socket, count] of inflight) if (count === 0) socket.end();
      for (const session of sessions) closeAfterPing(session);
      const remaining = Math.max(0, deadline - Date.now());
      if (sockets.size > 0 && !(await allClosed(sockets, remaining))) {
        const forced = sockets.size;
        for (const session of sessions) session.destroy();
        for (const socket of sockets) socket.destroy();
        logger.warn(
          { listener: name, forced },
          "force-closed connections at the shutdown deadline",
        );
        return { forced };
      }
      return { forced: 0 };
    },
  };
}

/** Resolves true once every socket has closed, false at the timeout. */
function allClosed(sockets: Set<Socket>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      resolve(false);
    }, timeoutMs);
    const poll = setInterval(() => {
      if (sockets.size === 0) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(true);
      }
    }, 20);
  });
}
