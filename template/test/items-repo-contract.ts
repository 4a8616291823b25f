import { describe, expect, it } from "vitest";
import type { Item, ItemsRepository } from "../src/app/items/index.ts";
import { AppError } from "../src/platform/errors/index.ts";

/** How the contract gets a repository under test. */
export interface ContractSubject {
  /** An empty repository; called at the start of every test (after the file's hooks). */
  readonly fresh: () => Promise<ItemsRepository>;
  /** Whether inserting an id twice fails with ALREADY_EXISTS (a store with a primary key). */
  readonly rejectsDuplicateIds: boolean;
}

const t1 = new Date("2030-01-01T00:00:01.000Z");
const t2 = new Date("2030-01-01T00:00:02.000Z");
const t3 = new Date("2030-01-01T00:00:03.123Z");
const later = new Date("2031-06-01T12:00:00.456Z");

/** Ids whose order is known: `ids[0] < ids[1] < …` as UUIDs and as strings. */
const ids = [
  "0a0a0a0a-0000-4000-8000-000000000001",
  "1b1b1b1b-0000-4000-8000-000000000002",
  "5c5c5c5c-0000-4000-8000-000000000003",
  "9d9d9d9d-0000-4000-8000-000000000004",
  "ae000000-0000-4000-8000-000000000005",
  "ff000000-0000-4000-8000-000000000006",
] as const;
const [a, b, c, d, e, f] = ids;

function item(id: string, createTime: Date, overrides: Partial<Item> = {}): Item {
  return {
    id,
    name: `item ${id.slice(0, 4)}`,
    description: "",
    tags: [],
    version: 1,
    createTime,
    updateTime: createTime,
    ...overrides,
  };
}

/** Items inserted out of order; three share t2, so their order is by id. */
async function seeded(fresh: () => Promise<ItemsRepository>): Promise<ItemsRepository> {
  const repo = await fresh();
  for (const entry of [item(d, t2), item(f, t1), item(b, t2), item(e, t3), item(c, t2)]) {
    await repo.insert(entry);
  }
  return repo;
}

const expectedOrder = [f, b, c, d, e];

async function listIds(repo: ItemsRepository): Promise<string[]> {
  return (await repo.list(100)).map((entry) => entry.id);
}

/**
 * The behaviour every {@link ItemsRepository} must have, whatever stores it:
 * the one suite run against the PostgreSQL, the PGlite and the in-memory
 * repositories.
 */
export function itemsRepositoryContract(name: string, subject: ContractSubject): void {
  describe(`ItemsRepository contract: ${name}`, () => {
    const fresh = () => subject.fresh();

    it("when an item is inserted then get returns it field for field", async () => {
      const repo = await fresh();
      const stored = item(a, t3, {
        name: "A name with ünïcode",
        description: "line one\nline two",
        tags: ["red", "blue-2"],
        updateTime: later,
      });
      await repo.insert(stored);
      expect(await repo.get(a)).toEqual(stored);
      expect(await repo.get(b)).toBeUndefined();
    });

    it("when listing then items are ordered by create time, ties by id", async () => {
      expect(await listIds(await seeded(fresh))).toEqual(expectedOrder);
    });

    it("when paging with a cursor then every item comes once, in order, up to the limit", async () => {
      const repo = await seeded(fresh);
      const seen: string[] = [];
      let page = await repo.list(2);
      while (page.length > 0) {
        expect(page.length).toBeLessThanOrEqual(2);
        seen.push(...page.map((entry) => entry.id));
        const last = page.at(-1) as Item;
        page = await repo.list(2, { createTime: last.createTime, id: last.id });
      }
      expect(seen).toEqual(expectedOrder);
      expect(await repo.list(10, { createTime: t2, id: b })).toHaveLength(3);
      expect(await repo.list(10, { createTime: t3, id: e })).toEqual([]);
    });

    it("when the cursor falls between ids of the same time then the page starts after it", async () => {
      const repo = await seeded(fresh);
      const between = "5c5c5c5c-0000-4000-8000-000000000002";
      const page = await repo.list(2, { createTime: t2, id: between });
      expect(page.map((entry) => entry.id)).toEqual([c, d]);
    });

    it("when updated at the current version then the changes apply and the version grows", async () => {
      const repo = await seeded(fresh);
      const result = await repo.update(c, 1, { tags: ["new"] }, later);
      const expected = { ...item(c, t2), tags: ["new"], version: 2, updateTime: later };
      expect(result).toEqual({ status: "ok", value: expected });
      expect(await repo.get(c)).toEqual(expected);
      const again = await repo.update(c, 2, { name: "renamed", description: "d" }, later);
      expect(again).toEqual({
        status: "ok",
        value: { ...expected, name: "renamed", description: "d", version: 3 },
      });
      expect(await listIds(repo)).toEqual(expectedOrder);
    });

    it("when updated with a stale version then it is a conflict naming the current one", async () => {
      const repo = await seeded(fresh);
      await repo.update(b, 1, { name: "first" }, later);
      expect(await repo.update(b, 1, { name: "second" }, later)).toEqual({
        status: "version_conflict",
        currentVersion: 2,
      });
      expect((await repo.get(b))?.name).toBe("first");
    });

    it("when the item is missing then update and delete report not_found", async () => {
      const repo = await seeded(fresh);
      expect(await repo.update(a, 1, { name: "x" }, later)).toEqual({ status: "not_found" });
      expect(await repo.delete(a)).toEqual({ status: "not_found" });
      expect(await repo.delete(a, 1)).toEqual({ status: "not_found" });
    });

    it("when deleted at the current version, or with none, then it is gone", async () => {
      const repo = await seeded(fresh);
      expect(await repo.delete(d, 1)).toEqual({ status: "ok", value: undefined });
      expect(await repo.delete(f)).toEqual({ status: "ok", value: undefined });
      expect(await repo.get(d)).toBeUndefined();
      expect(await listIds(repo)).toEqual([b, c, e]);
    });

    it("when deleted with a stale version then it is a conflict and the item stays", async () => {
      const repo = await seeded(fresh);
      await repo.update(e, 1, {}, later);
      expect(await repo.delete(e, 1)).toEqual({ status: "version_conflict", currentVersion: 2 });
      expect((await repo.get(e))?.version).toBe(2);
    });

    it.runIf(subject.rejectsDuplicateIds)(
      "when an id is inserted twice then the second insert is ALREADY_EXISTS",
      async () => {
        const repo = await fresh();
        await repo.insert(item(a, t1));
        const failure = await repo.insert(item(a, t2, { name: "other" })).catch((error) => error);
        expect(failure).toBeInstanceOf(AppError);
        expect((failure as AppError).code).toBe("ALREADY_EXISTS");
        expect((await repo.get(a))?.createTime).toEqual(t1);
      },
    );
  });
}
