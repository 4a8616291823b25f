import type { Request, Response, Router } from "express";
import { type HttpGuard, requireScopes } from "../../platform/auth/index.ts";
import { AppError } from "../../platform/errors/index.ts";
import { createRouteTable, requireJsonBody } from "../../platform/http/index.ts";
import type { Item } from "./item.ts";
import type { ItemsService } from "./items-service.ts";

/** The JSON shape of an item on the REST surface. */
export interface ItemJson {
  id: string;
  name: string;
  description: string;
  tags: readonly string[];
  version: number;
  createTime: string;
  updateTime: string;
}

/** Renders an item as REST JSON. */
export function itemToJson(item: Item): ItemJson {
  return {
    id: item.id,
    name: item.name,
    description: item.description,
    tags: item.tags,
    version: item.version,
    createTime: item.createTime.toISOString(),
    updateTime: item.updateTime.toISOString(),
  };
}

/** The strong ETag of an item version. */
const etagOf = (item: Item) => `"${item.version}"`;

/**
 * Reads the expected version from `If-Match` ("3" or W/"3"); undefined when
 * absent, a validation error when malformed.
 */
function ifMatchVersion(req: Request): number | undefined {
  const header = req.headers["if-match"];
  if (header === undefined) return undefined;
  // Versions start at 1: "0" would read as "no precondition" further down.
  const match = /^(?:W\/)?"([1-9]\d{0,14})"$/.exec(header.trim());
  if (match === null) {
    throw new AppError("VALIDATION_FAILED", "the request has invalid fields", {
      violations: [{ field: "If-Match", description: 'must be an item ETag such as "3"' }],
    });
  }
  return Number(match[1]);
}

/**
 * Items rendered as REST JSON, by item object. Items are immutable (an update
 * makes a new one) and the cache hands the same object to every read until
 * it changes, so a hot item is rendered once, not on every read.
 */
const renderedItems = new WeakMap<Item, string>();

/** The REST JSON text of an item. */
function itemBody(item: Item): string {
  let body = renderedItems.get(item);
  if (body === undefined) {
    body = JSON.stringify(itemToJson(item));
    renderedItems.set(item, body);
  }
  return body;
}

/** Sends one item with its ETag. */
function sendItem(res: Response, status: number, item: Item): void {
  res
    .status(status)
    .setHeader("ETag", etagOf(item))
    .setHeader("Content-Type", "application/json; charset=utf-8")
    .send(itemBody(item));
}

/**
 * Mounts the items REST routes: thin adapters that turn HTTP into calls of
 * the items service (see docs/api.md). Reads need the `items:read` scope,
 * writes `items:write`; the guard verifies the bearer token first.
 */
export function mountItemsRoutes(router: Router, items: ItemsService, guard: HttpGuard): void {
  const read = guard(requireScopes("items:read"));
  const write = guard(requireScopes("items:write"));
  const routes = createRouteTable(router);
  routes
    .route("post", "/v1/items", write, requireJsonBody, async (req, res) => {
      const item = await items.create(req.body ?? {});
      res.setHeader("Location", `/v1/items/${item.id}`);
      sendItem(res, 201, item);
    })
    .route("get", "/v1/items", read, async (req, res) => {
      const { pageSize, pageToken } = req.query;
      const page = await items.list({
        ...(pageSize === undefined ? {} : { pageSize: Number(pageSize) }),
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      res.json({ items: page.items.map(itemToJson), nextPageToken: page.nextPageToken });
    })
    .route("get", "/v1/items/:id", read, async (req, res) => {
      const item = await items.get(String(req.params.id));
      if (req.headers["if-none-match"] === etagOf(item)) {
        res.setHeader("ETag", etagOf(item)).status(304).end();
        return;
      }
      sendItem(res, 200, item);
    })
    .route("patch", "/v1/items/:id", write, requireJsonBody, async (req, res) => {
      const body: unknown = req.body ?? {};
      const fromHeader = ifMatchVersion(req);
      // Anything but an object is left for validation to refuse.
      let input = body;
      if (typeof body === "object" && body !== null && !Array.isArray(body)) {
        const inBody = (body as { version?: unknown }).version;
        if (fromHeader !== undefined && inBody !== undefined && inBody !== fromHeader) {
          throw new AppError("VALIDATION_FAILED", "the request has invalid fields", {
            violations: [{ field: "version", description: "differs from the version in If-Match" }],
          });
        }
        const fields = fromHeader === undefined ? body : { ...body, version: fromHeader };
        if (!("version" in fields)) {
          throw new AppError(
            "PRECONDITION_REQUIRED",
            'send the version you read, in If-Match ("3") or as "version" in the body',
          );
        }
        input = fields;
      }
      sendItem(res, 200, await items.update(String(req.params.id), input));
    })
    .route("delete", "/v1/items/:id", write, async (req, res) => {
      await items.delete(String(req.params.id), ifMatchVersion(req));
      res.status(204).end();
    })
    .seal();
}
