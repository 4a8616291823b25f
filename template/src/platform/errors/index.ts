export type { AppErrorOptions, FieldViolation } from "./app-error.ts";
export { AppError } from "./app-error.ts";
export type { ErrorCode, ErrorSpec } from "./catalogue.ts";
export { errorCatalogue, errorCodes, isErrorCode } from "./catalogue.ts";
export type { Problem } from "./problem.ts";
export { problemContentType, toProblem } from "./problem.ts";
