import type { Claims } from "./claims.ts";

declare module "express-serve-static-core" {
  /** Per-request values the authentication middleware puts on `res.locals`. */
  interface Locals {
    /** The verified claims of the caller; set on protected routes only. */
    auth?: Claims;
  }
}
