import type { Queryable } from "../../platform/data/index.ts";
import { AppError } from "../../platform/errors/index.ts";
import type { Item } from "./item.ts";
import type { ItemChanges, ItemCursor, ItemsRepository, WriteResult } from "./items-repo.ts";

/** A row of the `items` table (migrations/0001_create_items.up.sql). */
interface ItemRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: string[];
  /** `bigint`: a string from both drivers. */
  readonly version: string;
  readonly create_time: Date;
  readonly update_time: Date;
}

const columns = "id, name, description, tags, version, create_time, update_time";
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Maps a row to the domain's item. */
function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: row.tags,
    version: Number(row.version),
    createTime: row.create_time,
    updateTime: row.update_time,
  };
}

/**
 * The items repository on SQL, the same statements on PostgreSQL and on the
 * embedded PGlite store. Writes are conditional on the version the caller
 * read (optimistic concurrency): a write that matches no row is then told
 * apart as not found or a version conflict. Lists are keyset pages on
 * (create_time, id), served by the index of that pair. The repository does
 * not own `db`: closing it is the composition root's job.
 */
export function createSqlItemsRepository(db: Queryable): ItemsRepository {
  /** Why a conditional write matched no row: the item is gone, or at another version. */
  const missed = async (id: string): Promise<WriteResult<never>> => {
    const { rows } = await db.query<Pick<ItemRow, "version">>(
      "SELECT version FROM items WHERE id = $1",
      [id],
    );
    const row = rows[0];
    return row === undefined
      ? { status: "not_found" }
      : { status: "version_conflict", currentVersion: Number(row.version) };
  };

  return {
    async insert(item) {
      try {
        await db.query(`INSERT INTO items (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
          item.id,
          item.name,
          item.description,
          item.tags,
          item.version,
          item.createTime,
          item.updateTime,
        ]);
      } catch (error) {
        if (error instanceof AppError && error.code === "ALREADY_EXISTS") {
          throw new AppError("ALREADY_EXISTS", `item ${item.id} already exists`, { cause: error });
        }
        throw error;
      }
    },
    async get(id) {
      const { rows } = await db.query<ItemRow>(`SELECT ${columns} FROM items WHERE id = $1`, [id]);
      return rows[0] === undefined ? undefined : toItem(rows[0]);
    },
    async list(limit, after?: ItemCursor) {
      if (after === undefined) {
        const { rows } = await db.query<ItemRow>(
          `SELECT ${columns} FROM items ORDER BY create_time, id LIMIT $1`,
          [limit],
        );
        return rows.map(toItem);
      }
      if (!uuid.test(after.id)) {
        throw new AppError("VALIDATION_FAILED", "the request has invalid fields", {
          violations: [
            { field: "pageToken", description: "is not a page token returned by this API" },
          ],
        });
      }
      const { rows } = await db.query<ItemRow>(
        `SELECT ${columns} FROM items
          WHERE (create_time, id) > ($1, $2)
          ORDER BY create_time, id
          LIMIT $3`,
        [after.createTime, after.id, limit],
      );
      return rows.map(toItem);
    },
    async update(id, expectedVersion, changes: ItemChanges, now) {
      const { rows } = await db.query<ItemRow>(
        `UPDATE items SET
            name = COALESCE($3, name),
            description = COALESCE($4, description),
            tags = COALESCE($5, tags),
            version = version + 1,
            update_time = $6
          WHERE id = $1 AND version = $2
          RETURNING ${columns}`,
        [
          id,
          expectedVersion,
          changes.name ?? null,
          changes.description ?? null,
          changes.tags ?? null,
          now,
        ],
      );
      const row = rows[0];
      return row === undefined ? missed(id) : { status: "ok", value: toItem(row) };
    },
    async delete(id, expectedVersion) {
      const { rowCount } =
        expectedVersion === undefined
          ? await db.query("DELETE FROM items WHERE id = $1", [id])
          : await db.query("DELETE FROM items WHERE id = $1 AND version = $2", [
              id,
              expectedVersion,
            ]);
      return rowCount > 0 ? { status: "ok", value: undefined } : missed(id);
    },
    async close() {},
  };
}
