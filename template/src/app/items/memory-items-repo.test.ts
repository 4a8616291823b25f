import { describe, expect, it } from "vitest";
import type { Item } from "./item.ts";
import { createMemoryItemsRepository } from "./memory-items-repo.ts";

function item(id: string, createTime: string, name = id): Item {
  const time = new Date(createTime);
  return { id, name, description: "", tags: [], version: 1, createTime: time, updateTime: time };
}

const t1 = "2030-01-01T00:00:01.000Z";
const t2 = "2030-01-01T00:00:02.000Z";
const t3 = "2030-01-01T00:00:03.000Z";

/** A repository holding items inserted out of order. */
async function seeded() {
  const repo = createMemoryItemsRepository();
  for (const entry of [item("b", t2), item("z", t1), item("a", t2), item("c", t3), item("m", t2)]) {
    await repo.insert(entry);
  }
  return repo;
}

async function ids(repo: ReturnType<typeof createMemoryItemsRepository>): Promise<string[]> {
  return (await repo.list(100)).map((entry) => entry.id);
}

describe("createMemoryItemsRepository", () => {
  it("when items are inserted out of order then list orders them by (createTime, id)", async () => {
    expect(await ids(await seeded())).toEqual(["z", "a", "b", "m", "c"]);
  });

  it("when listing after a cursor then it returns up to limit items strictly after it", async () => {
    const repo = await seeded();
    const after = { createTime: new Date(t2), id: "a" };
    expect((await repo.list(2, after)).map((entry) => entry.id)).toEqual(["b", "m"]);
    expect((await repo.list(10, { createTime: new Date(t3), id: "c" })).length).toBe(0);
  });

  it("when an item is updated then it keeps its place and the new version is listed", async () => {
    const repo = await seeded();
    const now = new Date("2031-01-01T00:00:00.000Z");
    const result = await repo.update("b", 1, { name: "renamed", tags: ["t"] }, now);
    expect(result).toEqual({
      status: "ok",
      value: { ...item("b", t2), name: "renamed", tags: ["t"], version: 2, updateTime: now },
    });
    expect(await ids(repo)).toEqual(["z", "a", "b", "m", "c"]);
    const listed = (await repo.list(100)).find((entry) => entry.id === "b");
    expect(listed).toEqual(await repo.get("b"));
    expect(listed?.version).toBe(2);
  });

  it("when every item is updated then the order is unchanged", async () => {
    const repo = await seeded();
    for (const id of ["c", "z", "m", "a", "b"]) {
      await repo.update(id, 1, { description: "d" }, new Date("2031-01-01T00:00:00.000Z"));
    }
    expect(await ids(repo)).toEqual(["z", "a", "b", "m", "c"]);
    expect((await repo.list(100)).every((entry) => entry.version === 2)).toBe(true);
  });

  it("when the expected version is stale then update reports the current version", async () => {
    const repo = await seeded();
    await repo.update("a", 1, { name: "x" }, new Date(t3));
    expect(await repo.update("a", 1, { name: "y" }, new Date(t3))).toEqual({
      status: "version_conflict",
      currentVersion: 2,
    });
    expect((await repo.get("a"))?.name).toBe("x");
  });

  it("when the item is missing then update and delete report not_found", async () => {
    const repo = await seeded();
    expect(await repo.update("nope", 1, {}, new Date(t3))).toEqual({ status: "not_found" });
    expect(await repo.delete("nope")).toEqual({ status: "not_found" });
  });

  it("when items are deleted then the rest keep their order", async () => {
    const repo = await seeded();
    expect(await repo.delete("b")).toEqual({ status: "ok", value: undefined });
    expect(await ids(repo)).toEqual(["z", "a", "m", "c"]);
    await repo.delete("z");
    await repo.delete("c");
    expect(await ids(repo)).toEqual(["a", "m"]);
    expect(await repo.get("b")).toBeUndefined();
  });

  it("when an updated item is deleted then the right entry is removed", async () => {
    const repo = await seeded();
    await repo.update("m", 1, { name: "changed" }, new Date(t3));
    expect(await repo.delete("m", 2)).toEqual({ status: "ok", value: undefined });
    expect(await ids(repo)).toEqual(["z", "a", "b", "c"]);
  });

  it("when delete has a stale version then nothing is removed", async () => {
    const repo = await seeded();
    await repo.update("a", 1, {}, new Date(t3));
    expect(await repo.delete("a", 1)).toEqual({ status: "version_conflict", currentVersion: 2 });
    expect(await ids(repo)).toEqual(["z", "a", "b", "m", "c"]);
  });

  it("when closed then it is empty", async () => {
    const repo = await seeded();
    await repo.close();
    expect(await repo.list(100)).toEqual([]);
    expect(await repo.get("a")).toBeUndefined();
  });
});
