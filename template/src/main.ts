import packageJson from "../package.json" with { type: "json" };
import { dependencies } from "./app/dependencies.ts";
import { ConfigError, describeConfig, loadConfig } from "./platform/config/index.ts";

/**
 * Entry point: validates the configuration (exit 1 naming every bad key),
 * builds the service, listens, and shuts down gracefully on SIGTERM/SIGINT.
 * An uncaught exception or unhandled rejection is logged and ends the
 * process through the same graceful shutdown, with exit code 1.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, { version: packageJson.version, dependencies });
    // lumi:begin !embedded
    // // Tests build the service in-process with a store of their own; running it needs PostgreSQL.
    // if (config.database.url === "") {
    //   throw new ConfigError([{ key: "DATABASE_URL", message: "is required" }]);
    // }
    // lumi:end !embedded
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(
      `${JSON.stringify({ level: "fatal", time: new Date().toISOString(), msg: "invalid configuration", issues: error.issues })}\n`,
    );
    process.exit(1);
  }
  // Loaded after the configuration is known good: a bad key fails fast.
  const { createService } = await import("./service.ts");
  const service = createService(config);
  const { logger } = service;
  logger.info({ config: describeConfig(process.env, dependencies) }, "configuration loaded");

  let exitCode = 0;
  const stop = (reason: string, code: number) => {
    exitCode = Math.max(exitCode, code);
    void service.shutdown(reason).then(
      () => process.exit(exitCode),
      (error: unknown) => {
        logger.fatal({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM", 0));
  process.on("SIGINT", () => stop("SIGINT", 0));
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception; shutting down");
    stop("uncaughtException", 1);
  });
  process.on("unhandledRejection", (reason) => {
    logger.fatal({ err: reason }, "unhandled rejection; shutting down");
    stop("unhandledRejection", 1);
  });

  try {
    await service.start();
  } catch (error) {
    logger.fatal({ err: error }, "could not start");
    stop("start failed", 1);
  }
}

await main();
