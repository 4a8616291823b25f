/** One entry of the error catalogue: how a code surfaces to clients. */
export interface ErrorSpec {
  /** HTTP status of the RFC 9457 problem response. */
  readonly status: number;
  /** Short, human-readable summary; the problem's `title`. */
  readonly title: string;
}

/**
 * The closed catalogue of error codes: the only codes clients ever see, each
 * mapped once to an HTTP status (and, on the RPC listener, to a Connect code
 * in src/platform/rpc/errors.ts). docs/errors.md documents every entry (a
 * test fails when one is missing).
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, title: "Validation failed" },
  MALFORMED_REQUEST: { status: 400, title: "Malformed request" },
  UNAUTHENTICATED: { status: 401, title: "Unauthenticated" },
  PERMISSION_DENIED: { status: 403, title: "Permission denied" },
  NOT_FOUND: { status: 404, title: "Not found" },
  ROUTE_NOT_FOUND: { status: 404, title: "Route not found" },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed" },
  REQUEST_TIMEOUT: { status: 408, title: "Request timeout" },
  ALREADY_EXISTS: { status: 409, title: "Already exists" },
  VERSION_CONFLICT: { status: 409, title: "Version conflict" },
  PRECONDITION_REQUIRED: { status: 428, title: "Precondition required" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Payload too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported media type" },
  RATE_LIMITED: { status: 429, title: "Too many requests" },
  HEADERS_TOO_LARGE: { status: 431, title: "Request header fields too large" },
  CANCELLED: { status: 499, title: "Request cancelled" },
  INTERNAL: { status: 500, title: "Internal error" },
  NOT_IMPLEMENTED: { status: 501, title: "Not implemented" },
  DEPENDENCY_FAILED: { status: 502, title: "Dependency failed" },
  UNAVAILABLE: { status: 503, title: "Service unavailable" },
  DEADLINE_EXCEEDED: { status: 504, title: "Deadline exceeded" },
} as const satisfies Record<string, ErrorSpec>;

/** A code of the catalogue. */
export type ErrorCode = keyof typeof errorCatalogue;

/** Every code of the catalogue, in catalogue order. */
export const errorCodes = Object.keys(errorCatalogue) as readonly ErrorCode[];

/** Tells whether a string is a code of the catalogue. */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCatalogue, value);
}
