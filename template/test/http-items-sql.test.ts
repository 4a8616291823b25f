import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqlItemsRepository } from "../src/app/items/postgres-items-repo.ts";
import {
  createDatabase,
  // lumi:begin embedded
  createEmbeddedDatabase,
  // lumi:end embedded
  createMigrator,
  type Database,
  loadMigrations,
  migrationsDirectory,
} from "../src/platform/data/index.ts";
import { startService, type TestService } from "./harness.ts";
import { type ItemBody, problem, sendJson } from "./http-support.ts";
import {
  createTestDatabase,
  postgresAnswers,
  postgresTestsRun,
  sharedPostgresUrl,
  type TestDatabase,
} from "./postgres-support.ts";

const postgresUp = postgresTestsRun(await postgresAnswers(sharedPostgresUrl), [
  "items over HTTP on the SQL repository: PostgreSQL",
]);

/** The REST surface of the items, end to end on the SQL repository of one store. */
function itemsOverHttp(store: string, open: () => Promise<Database>): void {
  describe(`items over HTTP on the SQL repository: ${store}`, () => {
    let db: Database;
    let svc: TestService;
    const url = (path: string) => `${svc.httpUrl}${path}`;
    const create = async (name: string) =>
      (await (await sendJson(url("/v1/items"), "POST", { name, tags: ["t"] })).json()) as ItemBody;

    beforeAll(async () => {
      db = await open();
      await createMigrator({ db, migrations: loadMigrations(migrationsDirectory) }).up();
      svc = await startService(
        { RATE_LIMIT_ENABLED: "false" },
        { itemsRepository: createSqlItemsRepository(db) },
      );
    });
    afterAll(async () => {
      await svc?.stop();
      await db?.close();
    });

    it("when items are created, read, changed and deleted then each step answers as documented", async () => {
      const item = await create("first");
      expect(item).toMatchObject({ name: "first", tags: ["t"], version: 1 });
      expect(await (await fetch(url(`/v1/items/${item.id}`))).json()).toEqual(item);
      const changed = await sendJson(url(`/v1/items/${item.id}`), "PATCH", {
        version: 1,
        name: "renamed",
      });
      expect(await changed.json()).toMatchObject({ name: "renamed", tags: ["t"], version: 2 });
      await problem(
        await sendJson(url(`/v1/items/${item.id}`), "PATCH", { version: 1, name: "late" }),
        409,
        "VERSION_CONFLICT",
      );
      expect((await fetch(url(`/v1/items/${item.id}`), { method: "DELETE" })).status).toBe(204);
      await problem(await fetch(url(`/v1/items/${item.id}`)), 404, "NOT_FOUND");
    });

    it("when listing with page tokens then every item comes once, in order", async () => {
      const made = [await create("a"), await create("b"), await create("c")];
      const seen: string[] = [];
      let token = "";
      do {
        const query = token === "" ? "" : `&pageToken=${encodeURIComponent(token)}`;
        const page = (await (await fetch(url(`/v1/items?pageSize=2${query}`))).json()) as {
          items: ItemBody[];
          nextPageToken: string;
        };
        seen.push(...page.items.map((entry) => entry.id));
        token = page.nextPageToken;
      } while (token !== "");
      expect(seen).toEqual(made.map((entry) => entry.id));
    });

    it("when a page token carries an id that is not a UUID then it is 400 on pageToken", async () => {
      const token = Buffer.from(JSON.stringify([new Date().toISOString(), "x"])).toString(
        "base64url",
      );
      const body = await problem(
        await fetch(url(`/v1/items?pageToken=${token}`)),
        400,
        "VALIDATION_FAILED",
      );
      expect(body.errors?.[0]?.field).toBe("pageToken");
    });
  });
}
// lumi:begin embedded

itemsOverHttp("embedded PGlite", async () => createEmbeddedDatabase());
// lumi:end embedded

describe.runIf(postgresUp)("on PostgreSQL", () => {
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await database?.drop();
  });
  itemsOverHttp("PostgreSQL", async () => {
    database = await createTestDatabase();
    return createDatabase({ url: database.url });
  });
});
