import pg from "pg";
import type { Logger } from "../logging/index.ts";
import { runCheck } from "./check.ts";
import type { Database, Queryable, Row, Session } from "./database.ts";
import { toDatabaseError } from "./database-errors.ts";
import { type DbMetrics, noopDbMetrics } from "./db-metrics.ts";
import { createQueryInstrumentation } from "./instrumentation.ts";

/** Options of {@link createDatabase}; the defaults are those of docs/data.md. */
export interface DatabaseOptions {
  /** `postgres://user:password@host:5432/database`. */
  readonly url: string;
  /** Most connections the pool opens. */
  readonly poolMax?: number;
  /** How long an idle connection stays open, in ms. */
  readonly poolIdleTimeoutMs?: number;
  /** Bound on opening a connection and on waiting for a free one, in ms. */
  readonly connectTimeoutMs?: number;
  /** Server-side `statement_timeout` of every connection, in ms; 0 for none. */
  readonly statementTimeoutMs?: number;
  /** Bound on the readiness probe, in ms (below the readiness check timeout). */
  readonly checkTimeoutMs?: number;
  /** `application_name` shown in `pg_stat_activity`. */
  readonly applicationName?: string;
  readonly metrics?: DbMetrics;
  /** Receives failures of idle connections, which no caller sees. */
  readonly logger?: Logger;
}

/**
 * Creates a Postgres database over a `pg.Pool`. Nothing connects until the
 * first query. Readiness uses a one-connection pool of its own, so a pool
 * saturated by traffic does not take the instance out of rotation (that
 * shows in `lumi_db_pool_waiting`); an unreachable server does.
 */
export function createDatabase(options: DatabaseOptions): Database {
  const metrics = options.metrics ?? noopDbMetrics;
  const checkTimeoutMs = options.checkTimeoutMs ?? 800;
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  const config: pg.PoolConfig = {
    connectionString: options.url,
    max: options.poolMax ?? 10,
    idleTimeoutMillis: options.poolIdleTimeoutMs ?? 10_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
    application_name: options.applicationName ?? "lumi",
    keepAlive: true,
  };
  const pool = new pg.Pool(config);
  const probePool = new pg.Pool({
    ...config,
    max: 1,
    connectionTimeoutMillis: checkTimeoutMs,
    statement_timeout: checkTimeoutMs,
  });
  const onIdleError = (error: Error) =>
    options.logger?.warn({ err: error }, "an idle database connection failed and was dropped");
  pool.on("error", onIdleError);
  probePool.on("error", onIdleError);

  // The pool's counts settle after its events fire: sample once per tick.
  let sampling = false;
  const sample = () => {
    if (sampling) return;
    sampling = true;
    queueMicrotask(() => {
      sampling = false;
      metrics.poolConnections(pool.totalCount - pool.idleCount, pool.idleCount);
      metrics.poolWaiting(pool.waitingCount);
    });
  };
  pool.on("connect", sample).on("acquire", sample).on("release", sample).on("remove", sample);

  const instrumentation = createQueryInstrumentation({
    metrics,
    attributes: serverAttributes(options.url),
  });
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    query<R = Row>(sql: string, params?: readonly unknown[], queryOptions = {}) {
      return instrumentation.run(sql, queryOptions, async () => {
        const pending = client.query(sql, params as unknown[] | undefined);
        sample();
        const result = await pending;
        return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
      });
    },
    async exec(sql, queryOptions = {}) {
      await instrumentation.run(sql, queryOptions, async () => {
        const pending = client.query(sql);
        sample();
        await pending;
      });
    },
  });
  const connect = async (): Promise<pg.PoolClient> => {
    const pending = pool.connect();
    sample();
    try {
      return await pending;
    } catch (error) {
      throw toDatabaseError(error);
    }
  };
  const sessionOf = (client: pg.PoolClient): Session => {
    const queryable = on(client);
    return { ...queryable, transaction: (fn) => inTransaction(queryable, fn) };
  };

  let closing: Promise<void> | undefined;
  return {
    kind: "postgres",
    ...on(pool),
    async transaction(fn) {
      const client = await connect();
      let broken = false;
      try {
        return await inTransaction(on(client), fn, () => {
          broken = true;
        });
      } finally {
        client.release(broken);
      }
    },
    async withSession(fn) {
      const client = await connect();
      let failed = false;
      try {
        return await fn(sessionOf(client));
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        // A failed session may hold locks or settings: drop the connection.
        client.release(failed);
      }
    },
    check: () => runCheck(() => probePool.query("SELECT 1"), checkTimeoutMs),
    close() {
      closing ??= Promise.all([pool.end(), probePool.end()]).then(() => {
        metrics.poolConnections(0, 0);
        metrics.poolWaiting(0);
      });
      return closing;
    },
  };
}

/**
 * Runs `fn` between BEGIN and COMMIT on one connection; on a throw, rolls
 * back and rethrows. `onBroken` is told when even ROLLBACK failed, so the
 * caller drops the connection instead of returning it to the pool.
 */
async function inTransaction<T>(
  queryable: Queryable,
  fn: (tx: Queryable) => Promise<T>,
  onBroken: () => void = () => {},
): Promise<T> {
  await queryable.exec("BEGIN");
  try {
    const result = await fn(queryable);
    await queryable.exec("COMMIT");
    return result;
  } catch (error) {
    try {
      await queryable.exec("ROLLBACK");
    } catch {
      onBroken();
    }
    // Statements fail as AppErrors already; anything else is the caller's own.
    throw error;
  }
}

/** `db.namespace`, `server.address` and `server.port` of a connection URL (never its credentials). */
function serverAttributes(url: string): Record<string, string | number> {
  try {
    const parsed = new URL(url);
    return {
      "db.namespace": decodeURIComponent(parsed.pathname.slice(1)),
      "server.address": parsed.hostname,
      "server.port": Number(parsed.port || 5432),
    };
  } catch {
    return {};
  }
}
