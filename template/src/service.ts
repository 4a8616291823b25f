// lumi:begin rpc
import type { ConnectRouter } from "@connectrpc/connect";
// lumi:end rpc
import type { Router } from "express";
import {
  createCachedItemsRepository,
  // lumi:begin rpc
  createItemsRpcService,
  // lumi:end rpc
  createItemsService,
  createSqlItemsRepository,
  type Item,
  type ItemsRepository,
  itemSerializer,
  // lumi:begin rpc
  itemsRpcPolicies,
  // lumi:end rpc
  mountItemsRoutes,
} from "./app/items/index.ts";
import { type AppContext, mountAppRoutes } from "./app/routes.ts";
// lumi:begin rpc
import { appRpcDescriptors, appRpcPolicies, registerAppRpcServices } from "./app/rpc-services.ts";
import { Health } from "./gen/grpc/health/v1/health_pb.ts";
import { ItemService } from "./gen/lumi/template/v1/items_pb.ts";
// lumi:end rpc
import {
  createDevelopmentVerifier,
  createHttpGuard,
  createTokenVerifier,
  createUnconfiguredVerifier,
  // lumi:begin rpc
  rpcAuth,
  // lumi:end rpc
  type TokenVerifier,
} from "./platform/auth/index.ts";
// lumi:begin redis
import { createCache, createCacheMetrics, createRedis } from "./platform/cache/index.ts";
// lumi:end redis
// lumi:begin !redis
// import { createCache, createCacheMetrics } from "./platform/cache/index.ts";
// lumi:end !redis
import type { Config } from "./platform/config/index.ts";
import {
  createDbMetrics,
  type Database,
  openDatabase,
  prepareDatabase,
} from "./platform/data/index.ts";
import {
  // lumi:begin rpc
  createClientIpResolver,
  // lumi:end rpc
  createHttpApp,
  createListener,
  type Listener,
  type NodeHandler,
  writeClientError,
} from "./platform/http/index.ts";
import {
  createReadiness,
  createResourceStack,
  createShutdown,
  type Readiness,
  type ShutdownReport,
} from "./platform/lifecycle/index.ts";
import { createLogger, type Logger } from "./platform/logging/index.ts";
import { createMetrics, type Metrics } from "./platform/metrics/index.ts";
import { createOpsHandler, createProfiler } from "./platform/ops/index.ts";
// lumi:begin redis
import {
  createMemoryRateLimitStore,
  createRateLimiter,
  createRedisRateLimitStore,
  type RateLimitStore,
} from "./platform/ratelimit/index.ts";
// lumi:end redis
// lumi:begin !redis
// import { createRateLimiter, type RateLimitStore } from "./platform/ratelimit/index.ts";
// lumi:end !redis
import { type Dependency, defineDependency } from "./platform/resilience/index.ts";
// lumi:begin rpc
import { createHealthService, createRpcHandler } from "./platform/rpc/index.ts";
// lumi:end rpc
import { getTelemetry } from "./platform/telemetry/index.ts";

/** What tests (and later milestones) may replace when building the service. */
export interface ServiceOverrides {
  readonly logger?: Logger;
  readonly itemsRepository?: ItemsRepository;
  /** Where items are stored, below the cache; by default SQL on {@link database}. */
  readonly itemsStore?: ItemsRepository;
  // lumi:begin embedded
  /** The database; by default the one DATABASE_URL names (or the embedded store). */
  // lumi:end embedded
  // lumi:begin !embedded
  // /** The database; by default the one DATABASE_URL names. */
  // lumi:end !embedded
  readonly database?: Database;
  readonly rateLimitStore?: RateLimitStore;
  /** Extra HTTP routes mounted after the template's (tests use it to add failing routes). */
  readonly extraRoutes?: (router: Router) => void;
  // lumi:begin rpc
  /** Extra RPC services mounted after the template's. */
  readonly extraRpcRoutes?: (router: ConnectRouter) => void;
  // lumi:end rpc
}

/** The bound ports, once started. */
export interface BoundPorts {
  readonly http: number;
  // lumi:begin rpc
  readonly rpc: number;
  // lumi:end rpc
  readonly ops: number;
}

/** A built service: everything constructed, nothing listening until {@link Service.start}. */
export interface Service {
  readonly config: Config;
  readonly logger: Logger;
  readonly readiness: Readiness;
  readonly metrics: Metrics;
  /** The outbound dependencies of src/app/dependencies.ts, with their policies, by name. */
  readonly dependencies: ReadonlyMap<string, Dependency>;
  /** Binds the listeners and marks the service ready. */
  start(): Promise<BoundPorts>;
  /** The graceful shutdown; runs once however often it is called. */
  shutdown(reason: string): Promise<ShutdownReport>;
}

/**
 * The composition root: builds the whole service from its configuration
 * without listening. `main.ts` starts it; tests build it with overrides and
 * start it on port 0.
 */
export function createService(config: Config, overrides: ServiceOverrides = {}): Service {
  const logger =
    overrides.logger ??
    createLogger({
      level: config.log.level,
      service: config.service.name,
      version: config.service.version,
      environment: config.service.deploymentEnvironment,
      redactPaths: config.log.redactPaths,
    });
  const resources = createResourceStack();
  // Registered first, so closed last: spans of the final requests are flushed.
  const telemetry = getTelemetry();
  if (telemetry !== undefined)
    resources.add({ name: "telemetry", close: () => telemetry.shutdown() });
  const readiness = createReadiness();
  const metrics = createMetrics({ version: config.service.version, commit: config.service.commit });
  const dependencies = new Map<string, Dependency>();
  for (const [name, settings] of Object.entries(config.dependencies)) {
    const dependency = defineDependency({ name, ...settings, metrics: metrics.outbound, logger });
    resources.add({ name: `dependency ${name}`, close: () => dependency.close() });
    if (dependency.check !== undefined) readiness.addCheck(name, dependency.check);
    dependencies.set(name, dependency);
  }

  // lumi:begin redis
  // Redis is never critical: no readiness check; everything using it falls back without it.
  const redis =
    config.redis.url === ""
      ? undefined
      : createRedis({
          url: config.redis.url,
          keyPrefix: config.redis.keyPrefix,
          commandTimeoutMs: config.redis.commandTimeoutMs,
          metrics: metrics.outbound,
          logger: logger.child({ component: "redis" }),
        });
  // Added before its users, so closed after them.
  if (redis !== undefined) resources.add({ name: "redis", close: () => redis.close() });
  // lumi:end redis
  const cacheMetrics = createCacheMetrics(metrics.registry);

  // lumi:begin redis
  let rateLimitStore: RateLimitStore | undefined = overrides.rateLimitStore;
  if (rateLimitStore === undefined && redis !== undefined) {
    const ratePolicy = { perSecond: config.rateLimit.perSecond, burst: config.rateLimit.burst };
    rateLimitStore = createRedisRateLimitStore({
      redis,
      ...ratePolicy,
      fallback: createMemoryRateLimitStore(ratePolicy),
      logger,
    });
  }
  // lumi:end redis
  // lumi:begin !redis
  // const rateLimitStore = overrides.rateLimitStore;
  // lumi:end !redis
  const rateLimiter = createRateLimiter({
    ...config.rateLimit,
    logger,
    ...(rateLimitStore === undefined ? {} : { store: rateLimitStore }),
  });
  resources.add({ name: "rate-limiter", close: () => rateLimiter.close() });
  const itemsCache = createCache<Item>({
    name: "items",
    ...config.cache,
    serializer: itemSerializer,
    // lumi:begin redis
    redis,
    // lumi:end redis
    metrics: cacheMetrics,
    logger,
  });
  resources.add({ name: "items-cache", close: () => itemsCache.close() });
  // lumi:begin embedded
  // Opened only when something uses it: a test replacing the storage starts
  // no embedded store (about 1.4 s and 400 MB each).
  // lumi:end embedded
  // lumi:begin !embedded
  // // Opened only when something uses it: a test replacing the storage opens no pool.
  // lumi:end !embedded
  const database =
    overrides.database ??
    (overrides.itemsRepository === undefined && overrides.itemsStore === undefined
      ? openDatabase(config.database, {
          metrics: createDbMetrics(metrics.registry),
          logger: logger.child({ component: "database" }),
          applicationName: config.service.name,
        })
      : undefined);
  if (database !== undefined) {
    resources.add({ name: "database", close: () => database.close() });
    readiness.addCheck("database", () => database.check());
    // lumi:begin embedded
    if (database.kind === "embedded" && config.service.environment === "production") {
      logger.warn(
        "DATABASE_URL is empty: the embedded store keeps data in this process only; set DATABASE_URL in production",
      );
    }
    // lumi:end embedded
  }
  // An overriding repository replaces the whole repository, cache included.
  const repository =
    overrides.itemsRepository ??
    createCachedItemsRepository(
      overrides.itemsStore ?? createSqlItemsRepository(database as Database),
      itemsCache,
    );
  resources.add({ name: "items-repository", close: () => repository.close() });
  const items = createItemsService({ repository });
  const verifier = createVerifier(config, logger);
  resources.add({ name: "auth-verifier", close: () => verifier.close() });
  // lumi:begin rpc
  // What the routes and RPC services of src/app/routes.ts and src/app/rpc-services.ts receive.
  // lumi:end rpc
  // lumi:begin !rpc
  // // What the routes of src/app/routes.ts receive.
  // lumi:end !rpc
  const app: AppContext = { guard: createHttpGuard(verifier), dependencies, logger };

  const httpApp = createHttpApp({
    logger,
    trustedProxies: config.server.trustedProxies,
    corsOrigins: config.http.corsOrigins,
    bodyLimitBytes: config.http.bodyLimitBytes,
    rateLimiter,
    metrics,
    accessLogSampling: { rate: config.log.accessSampleRate, routes: config.log.accessSampleRoutes },
    routes: (router) => {
      mountItemsRoutes(router, items, createHttpGuard(verifier));
      overrides.extraRoutes?.(router);
      mountAppRoutes(router, app);
    },
  });
  // lumi:begin rpc
  const rpcHandler = createRpcHandler({
    logger,
    rateLimiter,
    metrics,
    clientIp: createClientIpResolver(config.server.trustedProxies),
    readMaxBytes: config.rpc.readMaxBytes,
    writeMaxBytes: config.rpc.writeMaxBytes,
    maxTimeoutMs: config.rpc.maxTimeoutMs,
    routes: (router) => {
      router.service(ItemService, createItemsRpcService(items));
      registerAppRpcServices(router, app);
      const served = [ItemService, ...appRpcDescriptors].map((s) => s.typeName);
      router.service(Health, createHealthService(readiness, served));
      overrides.extraRpcRoutes?.(router);
    },
    interceptors: [
      rpcAuth(
        verifier,
        { ...itemsRpcPolicies, ...appRpcPolicies },
        { services: [ItemService, Health, ...appRpcDescriptors] },
      ),
    ],
  });
  // lumi:end rpc
  const profiler = createProfiler({
    enabled: config.ops.profiling.enabled,
    token: config.ops.profiling.token,
    development: config.service.environment !== "production",
    logger,
  });
  resources.add({ name: "profiler", close: () => profiler.close() });
  const opsHandler = createOpsHandler({ readiness, metrics, profiler });

  // lumi:begin rpc
  const listen = (name: string, handler: NodeHandler, h2c = false): Listener =>
    createListener({
      name,
      handler,
      h2c,
      limits: config.server,
      logger,
      onClientError: writeClientError,
    });
  // lumi:end rpc
  // lumi:begin !rpc
  // const listen = (name: string, handler: NodeHandler): Listener =>
  //   createListener({
  //     name,
  //     handler,
  //     limits: config.server,
  //     logger,
  //     onClientError: writeClientError,
  //   });
  // lumi:end !rpc
  const http = listen("http", httpApp as unknown as NodeHandler);
  // lumi:begin rpc
  const rpc = listen("rpc", rpcHandler, true);
  // lumi:end rpc
  const ops = listen("ops", opsHandler as NodeHandler);
  let started = false;

  const shutdown = createShutdown({
    logger,
    readiness,
    drainDelayMs: config.shutdown.drainDelayMs,
    timeoutMs: config.shutdown.timeoutMs,
    // lumi:begin rpc
    listeners: () => (started ? [http, rpc] : []),
    // lumi:end rpc
    // lumi:begin !rpc
    // listeners: () => (started ? [http] : []),
    // lumi:end !rpc
    opsListener: () => (started ? ops : undefined),
    resources,
  });

  return {
    config,
    logger,
    readiness,
    metrics,
    dependencies,
    async start() {
      if (database !== undefined) {
        await prepareDatabase({ db: database, settings: config.database, logger });
      }
      started = true;
      const ports = {
        ops: await ops.listen(config.ops.port, config.ops.host),
        http: await http.listen(config.http.port, config.http.host),
        // lumi:begin rpc
        rpc: await rpc.listen(config.rpc.port, config.rpc.host),
        // lumi:end rpc
      };
      readiness.markStarted();
      logger.info({ ports }, "service started");
      return ports;
    },
    shutdown,
  };
}

/**
 * The token verifier the configuration asks for: a remote JWKS; or, with no
 * JWKS URL, one that refuses every token (protected routes answer 401) — or,
 * outside production and only when asked, the development principal.
 */
function createVerifier(config: Config, logger: Logger): TokenVerifier {
  const { auth } = config;
  if (auth.jwksUrl !== "") {
    return createTokenVerifier({
      jwksUrl: auth.jwksUrl,
      issuer: [...auth.issuer],
      audience: [...auth.audience],
      algorithms: [...auth.algorithms],
      clockToleranceSec: auth.clockToleranceSec,
      requiredClaims: [...auth.requiredClaims],
      jwksCacheMaxAgeMs: auth.jwksCacheMaxAgeMs,
      jwksCooldownMs: auth.jwksCooldownMs,
      jwksTimeoutMs: auth.jwksTimeoutMs,
      allowInsecureHttp: auth.allowInsecureHttp,
      logger: logger.child({ component: "auth" }),
    });
  }
  if (auth.disableForDevelopment) {
    logger.warn(
      "authentication disabled for development: every request is the developer principal",
    );
    return createDevelopmentVerifier();
  }
  logger.warn(
    // lumi:begin rpc
    "authentication is not configured (AUTH_JWKS_URL empty): protected routes and procedures answer 401",
    // lumi:end rpc
    // lumi:begin !rpc
    // "authentication is not configured (AUTH_JWKS_URL empty): protected routes answer 401",
    // lumi:end !rpc
  );
  return createUnconfiguredVerifier();
}
