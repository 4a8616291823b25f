import type { RequestHandler, Router } from "express";
import { AppError } from "../errors/index.ts";
import { setHttpRoute } from "../telemetry/index.ts";

/** HTTP methods a route table registers. */
export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** Registers routes and answers 405 (with `Allow`) for other methods on known paths. */
export interface RouteTable {
  route(method: HttpMethod, path: string, ...handlers: RequestHandler[]): RouteTable;
  /** Adds the 405 handlers; call once after the last route. */
  seal(): void;
}

/** Creates a route table over an express router. */
export function createRouteTable(router: Router): RouteTable {
  const methods = new Map<string, Set<string>>();
  return {
    route(method, path, ...handlers) {
      // The span is named in the first handler itself: a handler of its own
      // would cost the route another dispatch on every request.
      const [first, ...rest] = handlers;
      const named: RequestHandler = (req, res, next) => {
        setHttpRoute(path);
        return first === undefined ? next() : first(req, res, next);
      };
      router[method](path, named, ...rest);
      const known = methods.get(path) ?? new Set<string>();
      known.add(method.toUpperCase());
      if (method === "get") known.add("HEAD");
      methods.set(path, known);
      return this;
    },
    seal() {
      for (const [path, known] of methods) {
        const allow = [...known].join(", ");
        router.all(path, (req, res) => {
          if (req.method === "OPTIONS") {
            res.setHeader("Allow", allow).status(204).end();
            return;
          }
          res.setHeader("Allow", allow);
          throw new AppError(
            "METHOD_NOT_ALLOWED",
            `${req.method} is not allowed here; use ${allow}`,
          );
        });
      }
    },
  };
}
