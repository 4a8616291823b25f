import { createContextKey } from "@connectrpc/connect";
import type { Claims } from "./claims.ts";

declare module "express-serve-static-core" {
  /** Per-request values the authentication middleware puts on `res.locals`. */
  interface Locals {
    /** The verified claims of the caller; set on protected routes only. */
    auth?: Claims;
  }
}

/** The verified claims of the caller of an RPC; set on protected procedures only. */
export const claimsKey = createContextKey<Claims | undefined>(undefined, {
  description: "verified claims",
});
