import type { z } from "zod";
import { AppError, type FieldViolation } from "../platform/errors/index.ts";

/**
 * Parses input with a schema; on failure throws one `VALIDATION_FAILED`
 * error listing every invalid field (dot-separated paths).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const violations: FieldViolation[] = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join("."),
    description:
      issue.code === "unrecognized_keys"
        ? `unknown field(s): ${issue.keys.join(", ")}`
        : issue.message,
  }));
  throw new AppError("VALIDATION_FAILED", "the request has invalid fields", { violations });
}
