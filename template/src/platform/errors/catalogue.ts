import { Code } from "@connectrpc/connect";

/** One entry of the error catalogue: how a code surfaces on each transport. */
export interface ErrorSpec {
  /** HTTP status of the RFC 9457 problem response. */
  readonly status: number;
  /** Connect (and gRPC) status code of the RPC error. */
  readonly connect: Code;
  /** Short, human-readable summary; the problem's `title`. */
  readonly title: string;
}

/**
 * The closed catalogue of error codes: the only codes clients ever see, each
 * mapped once to an HTTP status and a Connect code. docs/errors.md documents
 * every entry (a test fails when one is missing).
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, connect: Code.InvalidArgument, title: "Validation failed" },
  MALFORMED_REQUEST: { status: 400, connect: Code.InvalidArgument, title: "Malformed request" },
  UNAUTHENTICATED: { status: 401, connect: Code.Unauthenticated, title: "Unauthenticated" },
  PERMISSION_DENIED: { status: 403, connect: Code.PermissionDenied, title: "Permission denied" },
  NOT_FOUND: { status: 404, connect: Code.NotFound, title: "Not found" },
  ROUTE_NOT_FOUND: { status: 404, connect: Code.Unimplemented, title: "Route not found" },
  METHOD_NOT_ALLOWED: { status: 405, connect: Code.Unimplemented, title: "Method not allowed" },
  REQUEST_TIMEOUT: { status: 408, connect: Code.DeadlineExceeded, title: "Request timeout" },
  ALREADY_EXISTS: { status: 409, connect: Code.AlreadyExists, title: "Already exists" },
  VERSION_CONFLICT: { status: 409, connect: Code.Aborted, title: "Version conflict" },
  PRECONDITION_REQUIRED: {
    status: 428,
    connect: Code.FailedPrecondition,
    title: "Precondition required",
  },
  PAYLOAD_TOO_LARGE: { status: 413, connect: Code.ResourceExhausted, title: "Payload too large" },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    connect: Code.InvalidArgument,
    title: "Unsupported media type",
  },
  RATE_LIMITED: { status: 429, connect: Code.ResourceExhausted, title: "Too many requests" },
  HEADERS_TOO_LARGE: {
    status: 431,
    connect: Code.ResourceExhausted,
    title: "Request header fields too large",
  },
  CANCELLED: { status: 499, connect: Code.Canceled, title: "Request cancelled" },
  INTERNAL: { status: 500, connect: Code.Internal, title: "Internal error" },
  NOT_IMPLEMENTED: { status: 501, connect: Code.Unimplemented, title: "Not implemented" },
  DEPENDENCY_FAILED: { status: 502, connect: Code.Unavailable, title: "Dependency failed" },
  UNAVAILABLE: { status: 503, connect: Code.Unavailable, title: "Service unavailable" },
  DEADLINE_EXCEEDED: { status: 504, connect: Code.DeadlineExceeded, title: "Deadline exceeded" },
} as const satisfies Record<string, ErrorSpec>;

/** A code of the catalogue. */
export type ErrorCode = keyof typeof errorCatalogue;

/** Every code of the catalogue, in catalogue order. */
export const errorCodes = Object.keys(errorCatalogue) as readonly ErrorCode[];

/** Tells whether a string is a code of the catalogue. */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCatalogue, value);
}
