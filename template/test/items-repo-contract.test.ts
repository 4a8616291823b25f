import { afterAll, beforeAll, describe } from "vitest";
import { createMemoryItemsRepository } from "../src/app/items/index.ts";
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
import { itemsRepositoryContract } from "./items-repo-contract.ts";
import {
  createTestDatabase,
  postgresAnswers,
  postgresTestsRun,
  sharedPostgresUrl,
  type TestDatabase,
} from "./postgres-support.ts";

/** Opens `open()` once for the file, migrates it, and empties `items` before each test. */
function sqlSubject(open: () => Promise<Database>) {
  let db: Database | undefined;
  beforeAll(async () => {
    db = await open();
    await createMigrator({ db, migrations: loadMigrations(migrationsDirectory) }).up();
  });
  afterAll(async () => {
    await db?.close();
  });
  return {
    rejectsDuplicateIds: true,
    fresh: async () => {
      if (db === undefined) throw new Error("the database did not open");
      await db.exec("TRUNCATE items");
      return createSqlItemsRepository(db);
    },
  };
}

itemsRepositoryContract("in memory (test double)", {
  rejectsDuplicateIds: false,
  fresh: async () => createMemoryItemsRepository(),
});
// lumi:begin embedded

describe("embedded PGlite", () => {
  itemsRepositoryContract(
    "SQL on embedded PGlite",
    sqlSubject(async () => createEmbeddedDatabase()),
  );
});
// lumi:end embedded

const postgresUp = postgresTestsRun(await postgresAnswers(sharedPostgresUrl), [
  "ItemsRepository contract: SQL on PostgreSQL",
]);

describe.runIf(postgresUp)("PostgreSQL", () => {
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await database?.drop();
  });
  itemsRepositoryContract(
    "SQL on PostgreSQL",
    sqlSubject(async () => {
      database = await createTestDatabase();
      return createDatabase({ url: database.url });
    }),
  );
});
