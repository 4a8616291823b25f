import type { AppError, FieldViolation } from "./app-error.ts";

/** Media type of RFC 9457 problem details. */
export const problemContentType = "application/problem+json";

/** An RFC 9457 problem document, extended with the stable error code. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly request_id: string;
  readonly instance?: string;
  readonly errors?: readonly FieldViolation[];
}

/**
 * Renders an error as problem details. Only the catalogue's title and the
 * error's own (client-safe) message are used; causes and stacks never are.
 */
export function toProblem(error: AppError, requestId: string, instance?: string): Problem {
  const spec = error.spec;
  return {
    type: `urn:lumi:error:${error.code}`,
    title: spec.title,
    status: spec.status,
    detail: error.operational ? error.message : spec.title,
    code: error.code,
    request_id: requestId,
    ...(instance === undefined ? {} : { instance }),
    ...(error.violations.length > 0 ? { errors: error.violations } : {}),
  };
}
