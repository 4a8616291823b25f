import type { PGlite, Results } from "@electric-sql/pglite";
import type { Logger } from "../logging/index.ts";
import { runCheck } from "./check.ts";
import type { Database, Queryable, QueryResult, Row, Session } from "./database.ts";
import { toDatabaseError } from "./database-errors.ts";
import { type DbMetrics, noopDbMetrics } from "./db-metrics.ts";
import { createQueryInstrumentation } from "./instrumentation.ts";

/** Options of {@link createEmbeddedDatabase}. */
export interface EmbeddedDatabaseOptions {
  /** Directory the data is kept in across restarts; empty or absent keeps it in memory. */
  readonly dataDir?: string;
  /** Bound on the readiness probe, in ms. */
  readonly checkTimeoutMs?: number;
  readonly metrics?: DbMetrics;
  readonly logger?: Logger;
}

/** What PGlite's query and transaction objects have in common. */
interface PgliteQueryable {
  query<T>(sql: string, params?: unknown[]): Promise<Results<T>>;
  exec(sql: string): Promise<Results[]>;
}

/**
 * Creates the embedded database: PGlite, PostgreSQL compiled to WebAssembly,
 * in this process. The same SQL and migrations run on it as on a server.
 * It starts in the background (about 2 s, see docs/data.md); queries wait
 * for it. Its one connection serves every caller in turn, on the main
 * thread, so a slow query holds up the process: it is the store of
 * `npm start`, development and tests, not of production. Values come back
 * as from `pg` (`int8` as a string).
 */
export function createEmbeddedDatabase(options: EmbeddedDatabaseOptions = {}): Database {
  const metrics = options.metrics ?? noopDbMetrics;
  const checkTimeoutMs = options.checkTimeoutMs ?? 800;
  // Loaded here, not at import: a service on PostgreSQL never loads PGlite
  // (its module alone cost start-up about 30 ms and a few MB).
  const started: Promise<PGlite> = import("@electric-sql/pglite").then(
    ({ PGlite, types }) =>
      new PGlite({
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        parsers: { [types.INT8]: (value: string) => value },
      }),
  );
  // A failed start surfaces on every query; it must not be an unhandled rejection.
  started
    .then((pglite) => pglite.waitReady)
    .catch((error: unknown) =>
      options.logger?.error({ err: error }, "the embedded database failed to start"),
    );
  const pglite: PgliteQueryable = {
    query: async (sql, params) => (await started).query(sql, params),
    exec: async (sql) => (await started).exec(sql),
  };
  const instrumentation = createQueryInstrumentation({
    metrics,
    attributes: { "db.namespace": "postgres" },
  });

  // One connection: in use while any caller runs, the others wait.
  let active = 0;
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    active += 1;
    report();
    try {
      return await work();
    } finally {
      active -= 1;
      report();
    }
  };
  const report = () => {
    metrics.poolConnections(active > 0 ? 1 : 0, active > 0 ? 0 : 1);
    metrics.poolWaiting(Math.max(0, active - 1));
  };

  const on = (target: PgliteQueryable): Queryable => ({
    query<R = Row>(sql: string, params?: readonly unknown[], queryOptions = {}) {
      return instrumentation.run(sql, queryOptions, async () => {
        const result = await target.query<R>(sql, params as unknown[] | undefined);
        return toResult(result);
      });
    },
    async exec(sql, queryOptions = {}) {
      await instrumentation.run(sql, queryOptions, () => target.exec(sql));
    },
  });
  const direct = on(pglite);
  const transaction = <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> =>
    track(async () => {
      let thrownByFn = false;
      try {
        return await (await started).transaction(async (tx) => {
          try {
            return await fn(on(tx));
          } catch (error) {
            thrownByFn = true;
            throw error;
          }
        });
      } catch (error) {
        // BEGIN and COMMIT are PGlite's own; what `fn` threw passes through.
        throw thrownByFn ? error : toDatabaseError(error);
      }
    });
  const session: Session = {
    query: (sql, params, queryOptions) => track(() => direct.query(sql, params, queryOptions)),
    exec: (sql, queryOptions) => track(() => direct.exec(sql, queryOptions)),
    transaction,
  };

  // PGlite has one session, so sessions take turns: that is what the
  // advisory lock of a server gives callers of different connections.
  let sessions: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | undefined;
  return {
    kind: "embedded",
    ...session,
    withSession(fn) {
      const turn = sessions.then(() => fn(session));
      sessions = turn.catch(() => {});
      return turn;
    },
    check: () => runCheck(() => pglite.query("SELECT 1"), checkTimeoutMs),
    close() {
      // A store whose module failed to load has nothing to close.
      closing ??= started
        .then(
          (db) => db.close(),
          () => {},
        )
        .then(
          () => metrics.poolConnections(0, 0),
          (error: unknown) => {
            throw toDatabaseError(error);
          },
        );
      return closing;
    },
  };
}

/** PGlite's result as `pg` reports it: `rowCount` counts rows returned or changed. */
function toResult<R>(result: Results<R>): QueryResult<R> {
  return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
}
