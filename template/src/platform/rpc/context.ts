import { createContextKey } from "@connectrpc/connect";
import type { Logger } from "pino";

/** The request id of the current call (set by the request-id interceptor). */
export const requestIdKey = createContextKey<string>("", { description: "request id" });

/** The real client address of the current call (trusted proxies applied). */
export const clientIpKey = createContextKey<string>("", { description: "client address" });

/** A child logger carrying the call's request id. */
export const loggerKey = createContextKey<Logger | undefined>(undefined, {
  description: "request logger",
});

/**
 * Whether the logging interceptor has taken charge of the call's log line;
 * calls the Connect runtime refuses before any interceptor runs are logged
 * by the handler instead.
 */
export const callLogKey = createContextKey<{ logged: boolean }>(
  { logged: true },
  { description: "call log state" },
);
