export type { Logger } from "pino";
export type { LoggerOptions } from "./logger.ts";
export { createLogger, redactPaths } from "./logger.ts";
