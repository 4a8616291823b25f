/** What a statement does, in OpenTelemetry database semconv terms. */
export interface QueryDescription {
  /** `db.operation.name`: the first keyword, upper-cased (`SELECT`). */
  readonly operation: string;
  /** `db.query.summary`: operation and target table (`SELECT items`), or the operation alone. */
  readonly summary: string;
}

const leadingComments = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;
const identifier = String.raw`("[^"]+"|[A-Za-z_][\w$]*)(?:\s*\.\s*("[^"]+"|[A-Za-z_][\w$]*))?`;
const targets: Readonly<Record<string, RegExp>> = {
  SELECT: new RegExp(String.raw`\bFROM\s+${identifier}`, "i"),
  DELETE: new RegExp(String.raw`^DELETE\s+FROM\s+(?:ONLY\s+)?${identifier}`, "i"),
  INSERT: new RegExp(String.raw`^INSERT\s+INTO\s+${identifier}`, "i"),
  UPDATE: new RegExp(String.raw`^UPDATE\s+(?:ONLY\s+)?${identifier}`, "i"),
};

/**
 * Describes a statement for spans and metrics without parsing it: its first
 * keyword and, for SELECT/INSERT/UPDATE/DELETE, the first table it names.
 * The result is low-cardinality as long as SQL is written in code with
 * `$n` parameters, never built from input.
 */
export function describeQuery(sql: string): QueryDescription {
  const text = sql.replace(leadingComments, "");
  const operation = /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase() ?? "UNKNOWN";
  const match = targets[operation]?.exec(text);
  const table = match === undefined || match === null ? undefined : (match[2] ?? match[1]);
  return {
    operation,
    summary: table === undefined ? operation : `${operation} ${table.replaceAll('"', "")}`,
  };
}
