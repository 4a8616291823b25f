import { ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.ts";
import { AppError } from "../errors/index.ts";

/** Domain of the `google.rpc.ErrorInfo` detail attached to every error. */
export const errorDomain = "lumi";

/**
 * Turns what a handler threw into a ConnectError with the catalogue's code,
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
  return new ConnectError(message, appError.spec.connect, metadata, details, appError);
}
