import { randomUUID } from "node:crypto";

/** Header that carries the request id in and out, on HTTP and RPC alike. */
export const requestIdHeader = "x-request-id";

const validRequestId = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * Returns the incoming request id when it is safe to reuse (1 to 128
 * characters of `[A-Za-z0-9._:@-]`), otherwise a new UUID. A hostile value
 * never reaches logs or response headers.
 */
export function requestIdFrom(incoming: string | readonly string[] | null | undefined): string {
  const value = typeof incoming === "string" ? incoming : undefined;
  return value !== undefined && validRequestId.test(value) ? value : randomUUID();
}
