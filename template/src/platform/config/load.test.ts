import { describe, expect, it } from "vitest";
import { ConfigError, describeConfig, loadConfig } from "./load.ts";
import { configSchema } from "./schema.ts";

const options = { version: "1.2.3" };

/** Loads and returns the ConfigError it must throw. */
function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected loadConfig to throw a ConfigError");
}

describe("loadConfig", () => {
  // lumi:begin redis
  it("when REDIS_URL is not a Redis URL then the issue names the key without repeating the value", () => {
    const error = (() => {
      try {
        loadConfig({ REDIS_URL: "http://user:hunter2@cache:6379" }, { version: "1.0.0" });
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(error.issues).toEqual([
      { key: "REDIS_URL", message: "must be a redis:// or rediss:// URL" },
    ]);
    expect(error.message).not.toContain("hunter2");
  });

  // lumi:end redis
  // lumi:begin redis
  it("when REDIS_KEY_PREFIX is empty then keys are prefixed with the service name", () => {
    const config = loadConfig(
      { OTEL_SERVICE_NAME: "payments", REDIS_URL: "rediss://:pw@cache:6380/1" },
      { version: "1.0.0" },
    );
    expect(config.redis).toEqual({
      url: "rediss://:pw@cache:6380/1",
      keyPrefix: "payments",
      commandTimeoutMs: 150,
    });
  });

  // lumi:end redis
  it("when the environment is empty then every key takes its default", () => {
    expect(loadConfig({}, options)).toEqual({
      service: {
        name: "lumi-template",
        version: "1.2.3",
        commit: "unknown",
        environment: "production",
        deploymentEnvironment: "local",
      },
      log: { level: "info", redactPaths: [], accessSampleRate: 1, accessSampleRoutes: [] },
      http: { host: "0.0.0.0", port: 8080, bodyLimitBytes: 1_048_576, corsOrigins: [] },
      // lumi:begin rpc
      rpc: {
        host: "0.0.0.0",
        port: 8081,
        readMaxBytes: 4_194_304,
        writeMaxBytes: 4_194_304,
        maxTimeoutMs: 30_000,
      },
      // lumi:end rpc
      ops: { host: "0.0.0.0", port: 9090, profiling: { enabled: false, token: "" } },
      server: {
        keepAliveTimeoutMs: 65_000,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        connectionsCheckIntervalMs: 1_000,
        maxHeaderBytes: 16_384,
        trustedProxies: [],
      },
      rateLimit: { enabled: true, perSecond: 100, burst: 200 },
      shutdown: { drainDelayMs: 0, timeoutMs: 10_000 },
      // lumi:begin redis
      redis: { url: "", keyPrefix: "lumi-template", commandTimeoutMs: 150 },
      // lumi:end redis
      cache: {
        l1MaxEntries: 10_000,
        l1MaxBytes: 16_777_216,
        ttlMs: 30_000,
        // lumi:begin redis
        l2TtlMs: 300_000,
        // lumi:end redis
        ttlJitter: 0.1,
        negativeTtlMs: 5_000,
        staleWhileRevalidateMs: 5_000,
      },
      dependencies: {},
      database: {
        url: "",
        poolMax: 10,
        poolIdleTimeoutMs: 10_000,
        connectTimeoutMs: 5_000,
        statementTimeoutMs: 10_000,
        migrateOnStart: false,
        migrateLockTimeoutMs: 60_000,
        // lumi:begin embedded
        embeddedDir: "",
        // lumi:end embedded
      },
      auth: {
        jwksUrl: "",
        issuer: [],
        audience: [],
        algorithms: [
          "RS256",
          "RS384",
          "RS512",
          "PS256",
          "PS384",
          "PS512",
          "ES256",
          "ES384",
          "ES512",
          "EdDSA",
        ],
        clockToleranceSec: 30,
        requiredClaims: ["exp", "sub"],
        jwksCacheMaxAgeMs: 600_000,
        jwksCooldownMs: 30_000,
        jwksTimeoutMs: 5_000,
        allowInsecureHttp: false,
        disableForDevelopment: false,
      },
    });
  });

  it("when keys are set then their parsed values are used", () => {
    const config = loadConfig(
      {
        NODE_ENV: "development",
        LOG_LEVEL: "debug",
        HTTP_PORT: "3000",
        RATE_LIMIT_ENABLED: "false",
        PROFILING_TOKEN: "t0ken",
      },
      options,
    );
    expect(config.service.environment).toBe("development");
    expect(config.log.level).toBe("debug");
    expect(config.http.port).toBe(3000);
    expect(config.rateLimit.enabled).toBe(false);
    expect(config.ops.profiling.token).toBe("t0ken");
  });

  it("when loaded then the whole object graph is frozen", () => {
    const config = loadConfig({ TRUSTED_PROXIES: "loopback" }, options);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.service)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
    expect(Object.isFrozen(config.http.corsOrigins)).toBe(true);
    expect(Object.isFrozen(config.ops.profiling)).toBe(true);
    expect(Object.isFrozen(config.server.trustedProxies)).toBe(true);
    expect(Object.isFrozen(config.rateLimit)).toBe(true);
    expect(Object.isFrozen(config.shutdown)).toBe(true);
  });

  it("when a frozen value is assigned then strict mode throws and the value is unchanged", () => {
    const config = loadConfig({}, options);
    expect(() => {
      (config.http as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.server.trustedProxies as string[]).push("10.0.0.0/8");
    }).toThrow(TypeError);
    expect(config.http.port).toBe(8080);
    expect(config.server.trustedProxies).toEqual([]);
  });

  it("when several keys are invalid then one ConfigError reports them all", () => {
    const error = configErrorOf({
      HTTP_PORT: "abc",
      LOG_LEVEL: "loud",
      RATE_LIMIT_BURST: "0",
      SHUTDOWN_TIMEOUT_MS: "x",
    });
    expect(error.name).toBe("ConfigError");
    expect(error).toBeInstanceOf(Error);
    expect([...error.issues].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: "HTTP_PORT", message: 'must be a whole number, got "abc"' },
      {
        key: "LOG_LEVEL",
        message: 'Value "loud" not in choices [fatal,error,warn,info,debug,trace,silent]',
      },
      { key: "RATE_LIMIT_BURST", message: "must be between 1 and 9007199254740991, got 0" },
      { key: "SHUTDOWN_TIMEOUT_MS", message: 'must be a whole number, got "x"' },
    ]);
    for (const key of ["HTTP_PORT", "LOG_LEVEL", "RATE_LIMIT_BURST", "SHUTDOWN_TIMEOUT_MS"]) {
      expect(error.message).toContain(key);
    }
    expect(error.message.startsWith("invalid configuration: ")).toBe(true);
  });

  it("when a number is out of range or not whole then the key is reported", () => {
    expect(configErrorOf({ HTTP_PORT: "65536" }).issues).toEqual([
      { key: "HTTP_PORT", message: "must be between 0 and 65535, got 65536" },
    ]);
    expect(configErrorOf({ OPS_PORT: "1.5" }).issues).toEqual([
      { key: "OPS_PORT", message: 'must be a whole number, got "1.5"' },
    ]);
    // lumi:begin rpc
    expect(configErrorOf({ RPC_PORT: " " }).issues).toEqual([
      { key: "RPC_PORT", message: 'must be a whole number, got " "' },
    ]);
    // lumi:end rpc
  });

  it("when the headers timeout exceeds the request timeout then an issue names it", () => {
    const error = configErrorOf({
      SERVER_HEADERS_TIMEOUT_MS: "40000",
      SERVER_REQUEST_TIMEOUT_MS: "30000",
    });
    expect(error.issues).toEqual([
      {
        key: "SERVER_HEADERS_TIMEOUT_MS",
        message: "must be <= SERVER_REQUEST_TIMEOUT_MS (30000)",
      },
    ]);
  });

  it("when the headers timeout equals the request timeout then the config loads", () => {
    const config = loadConfig(
      { SERVER_HEADERS_TIMEOUT_MS: "30000", SERVER_REQUEST_TIMEOUT_MS: "30000" },
      options,
    );
    expect(config.server.headersTimeoutMs).toBe(30_000);
    expect(config.server.requestTimeoutMs).toBe(30_000);
  });

  it("when two listeners share a non-zero port then an issue names the later key", () => {
    expect(configErrorOf({ HTTP_PORT: "9090" }).issues).toEqual([
      { key: "OPS_PORT", message: "must differ from HTTP_PORT (both 9090)" },
    ]);
    // lumi:begin rpc
    expect(configErrorOf({ RPC_PORT: "8080" }).issues).toEqual([
      { key: "RPC_PORT", message: "must differ from HTTP_PORT (both 8080)" },
    ]);
    // lumi:end rpc
  });

  it("when every port is 0 then the config loads", () => {
    // lumi:begin rpc
    const config = loadConfig({ HTTP_PORT: "0", RPC_PORT: "0", OPS_PORT: "0" }, options);
    expect([config.http.port, config.rpc.port, config.ops.port]).toEqual([0, 0, 0]);
    // lumi:end rpc
    // lumi:begin !rpc
    // const config = loadConfig({ HTTP_PORT: "0", OPS_PORT: "0" }, options);
    // expect([config.http.port, config.ops.port]).toEqual([0, 0]);
    // lumi:end !rpc
  });

  it("when a list has blanks and padding then items are trimmed and blanks dropped", () => {
    const config = loadConfig(
      {
        TRUSTED_PROXIES: "loopback, 10.0.0.0/8 ,,",
        HTTP_CORS_ORIGINS: " https://a.example.com,,https://b.example.com ",
      },
      options,
    );
    expect(config.server.trustedProxies).toEqual(["loopback", "10.0.0.0/8"]);
    expect(config.http.corsOrigins).toEqual(["https://a.example.com", "https://b.example.com"]);
  });

  it("when a list is only separators then it is empty", () => {
    expect(loadConfig({ TRUSTED_PROXIES: " , ," }, options).server.trustedProxies).toEqual([]);
  });
});

describe("describeConfig", () => {
  it("when called then every schema key is listed, in schema order", () => {
    expect(Object.keys(describeConfig({}))).toEqual(Object.keys(configSchema));
  });

  it("when keys are unset then their defaults are shown as strings", () => {
    const described = describeConfig({});
    expect(described.HTTP_PORT).toBe("8080");
    expect(described.NODE_ENV).toBe("production");
    expect(described.RATE_LIMIT_ENABLED).toBe("true");
    expect(described.PROFILING_ENABLED).toBe("false");
    expect(described.TRUSTED_PROXIES).toBe("");
    expect(described.SHUTDOWN_DRAIN_DELAY_MS).toBe("0");
  });

  it("when keys are set then their raw values are shown", () => {
    const described = describeConfig({ LOG_LEVEL: "debug", TRUSTED_PROXIES: "loopback" });
    expect(described.LOG_LEVEL).toBe("debug");
    expect(described.TRUSTED_PROXIES).toBe("loopback");
  });

  it("when the profiling token is set then it is redacted", () => {
    expect(describeConfig({ PROFILING_TOKEN: "s3cret" }).PROFILING_TOKEN).toBe("[REDACTED]");
    expect(JSON.stringify(describeConfig({ PROFILING_TOKEN: "s3cret" }))).not.toContain("s3cret");
  });

  it("when the profiling token is unset or empty then it shows as empty", () => {
    expect(describeConfig({}).PROFILING_TOKEN).toBe("");
    expect(describeConfig({ PROFILING_TOKEN: "" }).PROFILING_TOKEN).toBe("");
  });
});

describe("observability keys", () => {
  it("when sampling and redaction keys are set then they are parsed", () => {
    const config = loadConfig(
      {
        SERVICE_COMMIT: "abc123",
        LOG_REDACT_PATHS: "*.iban, customer.phone",
        LOG_ACCESS_SAMPLE_RATE: "0.25",
        LOG_ACCESS_SAMPLE_ROUTES: "/v1/items/:id",
      },
      options,
    );
    expect(config.service.commit).toBe("abc123");
    expect(config.log).toMatchObject({
      redactPaths: ["*.iban", "customer.phone"],
      accessSampleRate: 0.25,
      accessSampleRoutes: ["/v1/items/:id"],
    });
  });

  it.each(["-0.1", "1.5", "half", ""])(
    "when LOG_ACCESS_SAMPLE_RATE is %j then it is refused",
    (rate) => {
      expect(() => loadConfig({ LOG_ACCESS_SAMPLE_RATE: rate }, options)).toThrow(
        /LOG_ACCESS_SAMPLE_RATE/,
      );
    },
  );
});

describe("authentication keys", () => {
  const jwks = { AUTH_JWKS_URL: "https://id.example.com/jwks.json" };

  it("when a JWKS URL is set without issuer and audience then both are named", () => {
    expect(configErrorOf(jwks).issues.map((issue) => issue.key)).toEqual([
      "AUTH_ISSUER",
      "AUTH_AUDIENCE",
    ]);
  });

  it("when the development escape hatch is set in production then it is refused", () => {
    expect(configErrorOf({ AUTH_DISABLE_FOR_DEVELOPMENT: "true" }).issues).toEqual([
      { key: "AUTH_DISABLE_FOR_DEVELOPMENT", message: "must not be set when NODE_ENV=production" },
    ]);
  });

  it("when the escape hatch and a JWKS URL are both set then they are reported as contradictory", () => {
    const issues = configErrorOf({
      ...jwks,
      AUTH_ISSUER: "https://id.example.com",
      AUTH_AUDIENCE: "items",
      NODE_ENV: "development",
      AUTH_DISABLE_FOR_DEVELOPMENT: "true",
    }).issues;
    expect(issues.map((issue) => issue.key)).toEqual(["AUTH_DISABLE_FOR_DEVELOPMENT"]);
  });

  it.each(["HS256", "none", "RS256,HS512"])(
    "when AUTH_ALGORITHMS includes %s then it is refused",
    (algorithms) => {
      expect(configErrorOf({ AUTH_ALGORITHMS: algorithms }).issues[0]?.key).toBe("AUTH_ALGORITHMS");
    },
  );

  it("when a complete JWKS configuration is given then it loads", () => {
    const config = loadConfig(
      { ...jwks, AUTH_ISSUER: "https://id.example.com", AUTH_AUDIENCE: "items,admin" },
      options,
    );
    expect(config.auth.audience).toEqual(["items", "admin"]);
  });
});
