import type { Logger } from "pino";

declare module "express-serve-static-core" {
  /** Per-request values the standard middleware puts on `res.locals`. */
  interface Locals {
    /** The request id, echoed in `X-Request-ID` and in every error body. */
    requestId: string;
    /** A child logger carrying the request id. */
    log: Logger;
    /** The client's address after the trusted-proxy rule (same as `req.ip`). */
    clientIp: string;
  }
}
