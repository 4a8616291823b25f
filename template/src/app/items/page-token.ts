import { AppError } from "../../platform/errors/index.ts";
import type { ItemCursor } from "./items-repo.ts";

/** Encodes the position after an item as an opaque page token. */
export function encodePageToken(cursor: ItemCursor): string {
  return Buffer.from(JSON.stringify([cursor.createTime.toISOString(), cursor.id])).toString(
    "base64url",
  );
}

/** Decodes a page token; a token that was not made here is a validation error. */
export function decodePageToken(token: string): ItemCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2) {
      const [time, id] = value as unknown[];
      const createTime = new Date(String(time));
      if (
        typeof id === "string" &&
        typeof time === "string" &&
        !Number.isNaN(createTime.getTime())
      ) {
        return { createTime, id };
      }
    }
  } catch {
    // fall through: a malformed token is the client's mistake
  }
  throw new AppError("VALIDATION_FAILED", "the request has invalid fields", {
    violations: [{ field: "pageToken", description: "is not a page token returned by this API" }],
  });
}
