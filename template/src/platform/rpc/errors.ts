import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.ts";
import { AppError, type ErrorCode } from "../errors/index.ts";

/**
 * The Connect (and gRPC) code of each code of the error catalogue: how an
 * error surfaces on the RPC listener. docs/errors.md documents every entry
 * (a test fails when one differs).
 */
export const connectCodes = {
  VALIDATION_FAILED: Code.InvalidArgument,
  MALFORMED_REQUEST: Code.InvalidArgument,
  UNAUTHENTICATED: Code.Unauthenticated,
  PERMISSION_DENIED: Code.PermissionDenied,
  NOT_FOUND: Code.NotFound,
  ROUTE_NOT_FOUND: Code.Unimplemented,
  METHOD_NOT_ALLOWED: Code.Unimplemented,
  REQUEST_TIMEOUT: Code.DeadlineExceeded,
  ALREADY_EXISTS: Code.AlreadyExists,
  VERSION_CONFLICT: Code.Aborted,
  PRECONDITION_REQUIRED: Code.FailedPrecondition,
  PAYLOAD_TOO_LARGE: Code.ResourceExhausted,
  UNSUPPORTED_MEDIA_TYPE: Code.InvalidArgument,
  RATE_LIMITED: Code.ResourceExhausted,
  HEADERS_TOO_LARGE: Code.ResourceExhausted,
  CANCELLED: Code.Canceled,
  INTERNAL: Code.Internal,
  NOT_IMPLEMENTED: Code.Unimplemented,
  DEPENDENCY_FAILED: Code.Unavailable,
  UNAVAILABLE: Code.Unavailable,
  DEADLINE_EXCEEDED: Code.DeadlineExceeded,
} as const satisfies Record<ErrorCode, Code>;

/** Domain of the `google.rpc.ErrorInfo` detail attached to every error. */
export const errorDomain = "lumi";

/**
 * Turns what a handler threw into a ConnectError with its {@link connectCodes} code,
 * a client-safe message, and standard details: `google.rpc.ErrorInfo`
 * (reason = the code, the request id in its metadata) and, for validation,
 * `google.rpc.BadRequest`. A ConnectError raised by the framework itself
 * (deadline, cancellation, size limits) passes through. The request id
 * travels in the response headers, which the RPC handler sets on every
 * response (as error metadata too it would reach gRPC clients twice).
 */
export function toConnectError(error: unknown, requestId: string): ConnectError {
  if (error instanceof ConnectError) return error;
  const appError = AppError.from(error);
  const metadata = new Headers({ "lumi-error-code": appError.code });
  if (appError.retryAfterSeconds !== undefined) {
    metadata.set("retry-after", String(appError.retryAfterSeconds));
  }
  const details: ConstructorParameters<typeof ConnectError>[3] = [
    {
      desc: ErrorInfoSchema,
      value: { reason: appError.code, domain: errorDomain, metadata: { request_id: requestId } },
    },
  ];
  if (appError.violations.length > 0) {
    details.push({
      desc: BadRequestSchema,
      value: {
        fieldViolations: appError.violations.map((v) => ({
          field: v.field,
          description: v.description,
        })),
      },
    });
  }
  const message = appError.operational ? appError.message : appError.spec.title;
  return new ConnectError(message, connectCodes[appError.code], metadata, details, appError);
}
