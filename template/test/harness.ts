import { type ChildProcess, spawn } from "node:child_process";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
// lumi:begin rpc
import { ConnectError, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { afterAll, beforeAll } from "vitest";
// lumi:end rpc
// lumi:begin !rpc
// lumi:begin !embedded
// import { afterAll } from "vitest";
// lumi:end !embedded
// lumi:end !rpc
import { createMemoryItemsRepository } from "../src/app/items/index.ts";
import { loadConfig } from "../src/platform/config/index.ts";
import { createLogger } from "../src/platform/logging/index.ts";
import type { DependencyDefaults } from "../src/platform/resilience/index.ts";
import {
  type BoundPorts,
  createService,
  type Service,
  type ServiceOverrides,
} from "../src/service.ts";
// lumi:begin !embedded
// import { createTestDatabase } from "./postgres-support.ts";
// lumi:end !embedded

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

/** Environment every test service starts with: ports picked by the OS, quiet limits. */
export const testEnv: Readonly<Record<string, string>> = {
  NODE_ENV: "test",
  HTTP_HOST: "127.0.0.1",
  // lumi:begin rpc
  RPC_HOST: "127.0.0.1",
  // lumi:end rpc
  OPS_HOST: "127.0.0.1",
  HTTP_PORT: "0",
  // lumi:begin rpc
  RPC_PORT: "0",
  // lumi:end rpc
  OPS_PORT: "0",
  LOG_LEVEL: "info",
  // Component tests exercise the service, not its identity provider: every
  // request is the developer principal unless a test configures a JWKS.
  AUTH_DISABLE_FOR_DEVELOPMENT: "true",
};

/** A service started in this process on port 0, with its log lines captured. */
export interface TestService {
  readonly service: Service;
  readonly ports: BoundPorts;
  readonly httpUrl: string;
  // lumi:begin rpc
  readonly rpcUrl: string;
  // lumi:end rpc
  readonly opsUrl: string;
  readonly logs: LogLine[];
  stop(): Promise<void>;
}

/**
 * Builds and starts the service in-process; `env` adds to {@link testEnv},
 * `dependencies` declares outbound dependencies as src/app/dependencies.ts does.
 */
export async function startService(
  env: Record<string, string> = {},
  overrides: ServiceOverrides = {},
  dependencies: Readonly<Record<string, DependencyDefaults>> = {},
): Promise<TestService> {
  const config = loadConfig({ ...testEnv, ...env }, { version: "0.0.0-test", dependencies });
  const logs: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line !== "") logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({
    level: config.log.level,
    service: config.service.name,
    version: config.service.version,
    environment: config.service.deploymentEnvironment,
    redactPaths: config.log.redactPaths,
    destination,
  });
  // lumi:begin embedded
  // Storage is the memory test double unless the test brings a store or a
  // database, names a DATABASE_URL, or asks for the real embedded store with
  // TEST_EMBEDDED_DATABASE=true (a harness switch; the service ignores it).
  const wantsDatabase =
    overrides.database !== undefined ||
    overrides.itemsRepository !== undefined ||
    overrides.itemsStore !== undefined ||
    env.DATABASE_URL !== undefined ||
    env.TEST_EMBEDDED_DATABASE === "true";
  // lumi:end embedded
  // lumi:begin !embedded
  // // Storage is the memory test double unless the test brings a store or a
  // // database, or names a DATABASE_URL.
  // const wantsDatabase =
  //   overrides.database !== undefined ||
  //   overrides.itemsRepository !== undefined ||
  //   overrides.itemsStore !== undefined ||
  //   env.DATABASE_URL !== undefined;
  // lumi:end !embedded
  const store = wantsDatabase ? {} : { itemsStore: createMemoryItemsRepository() };
  const service = createService(config, { logger, ...store, ...overrides });
  const ports = await service.start();
  return {
    service,
    ports,
    httpUrl: `http://127.0.0.1:${ports.http}`,
    // lumi:begin rpc
    rpcUrl: `http://127.0.0.1:${ports.rpc}`,
    // lumi:end rpc
    opsUrl: `http://127.0.0.1:${ports.ops}`,
    logs,
    stop: async () => {
      await service.shutdown("test finished");
    },
  };
}

const mainPath = fileURLToPath(new URL("../src/main.ts", import.meta.url));
// lumi:begin !embedded
//
// /** Drops of the databases of spawned services; the test file waits for them at its end. */
// const drops = new Set<Promise<void>>();
// afterAll(() => Promise.all(drops));
// lumi:end !embedded

/** The service running as its own process (`node src/main.ts`), as in production. */
export interface ChildService {
  readonly child: ChildProcess;
  readonly ports: BoundPorts;
  readonly httpUrl: string;
  // lumi:begin rpc
  readonly rpcUrl: string;
  // lumi:end rpc
  readonly opsUrl: string;
  /** Every stdout line so far. */
  readonly logs: LogLine[];
  /** Resolves with the exit code and when it happened. */
  readonly exited: Promise<{ code: number | null; at: number }>;
  /** Everything written on stderr so far. */
  stderr(): string;
}

// lumi:begin embedded
/**
 * Starts the service in a child process (`src/main.ts`, or another entry
 * such as the built `dist/main.js`) and waits for "service started".
 * `nodeArgs` go before the entry (e.g. `--import` of the tracing preload).
 */
// lumi:end embedded
// lumi:begin !embedded
// /**
//  * Starts the service in a child process (`src/main.ts`, or another entry
//  * such as the built `dist/main.js`) and waits for "service started".
//  * `nodeArgs` go before the entry (e.g. `--import` of the tracing preload).
//  * Without a DATABASE_URL in `env`, the child gets a database of its own on
//  * the test PostgreSQL, migrated at its start and dropped once it exits.
//  */
// lumi:end !embedded
export async function spawnService(
  env: Record<string, string> = {},
  entry: string = mainPath,
  nodeArgs: readonly string[] = [],
): Promise<ChildService> {
  // lumi:begin !embedded
  // const database = env.DATABASE_URL === undefined ? await createTestDatabase() : undefined;
  // const store =
  //   database === undefined ? {} : { DATABASE_URL: database.url, DATABASE_MIGRATE_ON_START: "true" };
  // lumi:end !embedded
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    // lumi:begin embedded
    env: { PATH: process.env.PATH ?? "", ...testEnv, ...env },
    // lumi:end embedded
    // lumi:begin !embedded
    // env: { PATH: process.env.PATH ?? "", ...testEnv, ...store, ...env },
    // lumi:end !embedded
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once("exit", (code) => resolve({ code, at: Date.now() })),
  );
  // lumi:begin !embedded
  // if (database !== undefined) drops.add(exited.then(() => database.drop()));
  // lumi:end !embedded
  const ports = await new Promise<BoundPorts>((resolve, reject) => {
    let buffer = "";
    child.stdout?.on("data", (chunk) => {
      buffer += String(chunk);
      let newline = buffer.indexOf("\n");
      while (newline !== -1) {
        const line = JSON.parse(buffer.slice(0, newline)) as LogLine;
        buffer = buffer.slice(newline + 1);
        logs.push(line);
        if (line.msg === "service started") resolve(line.ports as BoundPorts);
        newline = buffer.indexOf("\n");
      }
    });
    void exited.then(({ code }) => reject(new Error(`service exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    ports,
    httpUrl: `http://127.0.0.1:${ports.http}`,
    // lumi:begin rpc
    rpcUrl: `http://127.0.0.1:${ports.rpc}`,
    // lumi:end rpc
    opsUrl: `http://127.0.0.1:${ports.ops}`,
    logs,
    exited,
    stderr: () => stderr,
  };
}
// lumi:begin rpc

/** The protocols, HTTP versions and wire formats the RPC listener serves, by name. */
export const rpcTransportNames = [
  "connect h1 json",
  "connect h1 binary",
  "connect h2 json",
  "connect h2 binary",
  "grpc h2 json",
  "grpc h2 binary",
  "grpc-web h1 json",
  "grpc-web h1 binary",
] as const;

/** A name of {@link rpcTransportNames}. */
export type RpcTransportName = (typeof rpcTransportNames)[number];

/**
 * Clients of the RPC listener: `get(name)` builds (once) the transport named,
 * e.g. "grpc h2 binary"; `close()` ends the HTTP/2 sessions they opened.
 */
export function rpcTransports(baseUrl: string): {
  get(name: RpcTransportName): Transport;
  close(): void;
} {
  const sessions: Http2SessionManager[] = [];
  const made = new Map<RpcTransportName, Transport>();
  const create = (name: RpcTransportName): Transport => {
    const [protocol, version, format] = name.split(" ");
    const useBinaryFormat = format === "binary";
    if (version === "h1") {
      const options = { httpVersion: "1.1" as const, baseUrl, useBinaryFormat };
      return protocol === "connect"
        ? createConnectTransport(options)
        : createGrpcWebTransport(options);
    }
    const sessionManager = new Http2SessionManager(baseUrl);
    sessions.push(sessionManager);
    const options = { baseUrl, sessionManager, useBinaryFormat };
    return protocol === "connect"
      ? createConnectTransport({ ...options, httpVersion: "2" })
      : createGrpcTransport(options);
  };
  return {
    get(name) {
      const transport = made.get(name) ?? create(name);
      made.set(name, transport);
      return transport;
    },
    close() {
      for (const session of sessions) session.abort();
    },
  };
}

/** Awaits a call that must fail and returns its error as a ConnectError. */
export async function rpcFailure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("the call succeeded but was expected to fail");
}

/** A started service and transports to its RPC listener, for one test file. */
export interface RpcTestContext {
  readonly svc: TestService;
  readonly transports: ReturnType<typeof rpcTransports>;
}

/**
 * Starts a service before the file's tests (and stops it after), with RPC
 * transports of every kind to it. Read the fields inside tests or hooks.
 */
export function useRpcService(
  env: Record<string, string> | (() => Record<string, string>) = {},
  overrides: ServiceOverrides = {},
): RpcTestContext {
  const context = {} as { svc: TestService; transports: ReturnType<typeof rpcTransports> };
  beforeAll(async () => {
    context.svc = await startService(typeof env === "function" ? env() : env, overrides);
    context.transports = rpcTransports(context.svc.rpcUrl);
  });
  afterAll(async () => {
    context.transports?.close();
    await context.svc?.stop();
  });
  return context;
}
// lumi:end rpc
