import type { CheckResult } from "../lifecycle/index.ts";

/** A result row: column name → value (`uuid`/`text`/`int8`/`numeric` → string, `int4` → number, `timestamptz` → Date, `text[]` → string[]). */
export type Row = Record<string, unknown>;

/** What a query returns, the same on Postgres and on the embedded store. */
export interface QueryResult<R = Row> {
  readonly rows: R[];
  /** Rows returned by a SELECT, or changed by an INSERT, UPDATE or DELETE. */
  readonly rowCount: number;
}

/** Per-query options. */
export interface QueryOptions {
  /**
   * Low-cardinality name of the query (`db.query.summary`, and the
   * `operation` label of `lumi_db_query_duration_seconds`). Derived from the
   * SQL (`SELECT items`) when absent.
   */
  readonly summary?: string;
}

/** Something SQL runs on: the database, a session, or a transaction. */
export interface Queryable {
  /** Runs one statement with `$1`-style parameters (extended protocol). */
  query<R = Row>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>>;
  /** Runs a script of one or more statements without parameters (simple protocol): migrations. */
  exec(sql: string, options?: QueryOptions): Promise<void>;
}

/** One connection, held until the callback of {@link Database.withSession} settles. */
export interface Session extends Queryable {
  /**
   * Runs `fn` inside BEGIN … COMMIT; a throw rolls back and is rethrown.
   * Transactions do not nest.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** Which store a {@link Database} talks to. */
// lumi:begin embedded
export type DatabaseKind = "postgres" | "embedded";
// lumi:end embedded
// lumi:begin !embedded
// export type DatabaseKind = "postgres";
// lumi:end !embedded

/**
 * The data layer's one handle on a database: a `pg` pool on Postgres, or
 * PGlite in-process. Queries, transactions, sessions and errors behave the
 * same on both; every failure is an `AppError` (see docs/data.md).
 */
export interface Database extends Session {
  readonly kind: DatabaseKind;
  /**
   * Runs `fn` on one connection kept for its whole duration: session-level
   * settings and advisory locks (the migration runner) need it.
   */
  withSession<T>(fn: (session: Session) => Promise<T>): Promise<T>;
  /** Readiness: `SELECT 1` bounded by a short timeout; never throws. */
  check(): Promise<CheckResult>;
  /** Closes every connection; waits for queries in flight. */
  close(): Promise<void>;
}
