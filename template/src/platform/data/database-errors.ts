import { AppError } from "../errors/index.ts";

/** SQLSTATE codes the data layer and repositories act on. */
export const sqlStates = {
  uniqueViolation: "23505",
  queryCanceled: "57014",
  lockNotAvailable: "55P03",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
} as const;

/** Node.js socket errors meaning the server could not be reached or went away. */
const networkErrors = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** Driver messages (pg, pg-pool) meaning the connection failed or was lost. */
const connectionLost =
  /^(Connection terminated|Client has encountered a connection error|Connection refused|connect ECONNREFUSED)/;
/** pg-pool's message when no connection became free within the connect timeout. */
const poolExhausted = /^timeout exceeded when trying to connect/;
// lumi:begin embedded
/** Messages of a pool or an embedded store that was closed (shutdown). */
const closed = /^(Cannot use a pool after calling end|PGlite is clos(ed|ing))/;
// lumi:end embedded
// lumi:begin !embedded
// /** The message of a pool that was closed (shutdown). */
// const closed = /^Cannot use a pool after calling end/;
// lumi:end !embedded

/**
 * The SQLSTATE of a database error (`23505`), looking through `cause`
 * (an AppError wrapping it); undefined for anything else. Both drivers
 * (pg and PGlite) put it on `code`.
 */
export function sqlStateOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The Node.js error code of a socket error (`ECONNREFUSED`), looking through `cause`. */
function networkCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && networkErrors.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps anything a driver throws to the service's error model, the same way
 * for Postgres and PGlite (table in docs/data.md): unique violation →
 * ALREADY_EXISTS; statement or lock timeout → DEADLINE_EXCEEDED;
 * serialization failure, deadlock, no free connection, store closed →
 * UNAVAILABLE (retryable); server unreachable or gone → DEPENDENCY_FAILED;
 * anything else (a bug: bad SQL, a broken constraint) → non-operational
 * INTERNAL whose message carries the SQLSTATE for the logs. The original
 * error is kept as `cause`. An AppError is returned as it is.
 */
export function toDatabaseError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const state = sqlStateOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const options = { cause: error };
  if (state === sqlStates.uniqueViolation) {
    return new AppError("ALREADY_EXISTS", "the record already exists", options);
  }
  if (state === sqlStates.queryCanceled || state === sqlStates.lockNotAvailable) {
    return new AppError("DEADLINE_EXCEEDED", "the database did not answer in time", options);
  }
  if (state === sqlStates.serializationFailure || state === sqlStates.deadlockDetected) {
    return new AppError("UNAVAILABLE", "the database aborted a conflicting transaction; retry", {
      ...options,
      retryAfterSeconds: 1,
    });
  }
  if (state === undefined && poolExhausted.test(message)) {
    return new AppError("UNAVAILABLE", "no database connection became free in time", {
      ...options,
      retryAfterSeconds: 1,
    });
  }
  if (state === undefined && closed.test(message)) {
    return new AppError("UNAVAILABLE", "the database is closed", options);
  }
  if (isUnreachable(state, message, error)) {
    return new AppError("DEPENDENCY_FAILED", "the database is unavailable", options);
  }
  const detail = state === undefined ? message : `${state}: ${message}`;
  return new AppError("INTERNAL", `database error ${detail}`, { ...options, operational: false });
}

/**
 * Whether the failure means the server is unreachable, shutting down,
 * refusing connections or out of resources (SQLSTATE classes 08, 53, 57P0x,
 * 28 and 3D000: wrong credentials or database), not that the query is wrong.
 */
function isUnreachable(state: string | undefined, message: string, error: unknown): boolean {
  if (state !== undefined) {
    return (
      state.startsWith("08") ||
      state.startsWith("53") ||
      state.startsWith("28") ||
      state === "3D000" ||
      state === "57P01" ||
      state === "57P02" ||
      state === "57P03"
    );
  }
  return networkCodeOf(error) !== undefined || connectionLost.test(message);
}
