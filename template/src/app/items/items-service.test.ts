import { describe, expect, it } from "vitest";
import { AppError } from "../../platform/errors/index.ts";
import { itemIdInput } from "./item.ts";
import { createItemsService, parseItemId } from "./items-service.ts";
import { createMemoryItemsRepository } from "./memory-items-repo.ts";
import { encodePageToken } from "./page-token.ts";

/** A valid UUID ending in `n`. */
function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`;
}

const t0 = new Date("2030-01-01T00:00:00.000Z");

/** A service over a fresh repository with a settable clock and predictable ids. */
function setup(ids: readonly number[] = Array.from({ length: 50 }, (_, i) => i + 1)) {
  let time = t0;
  const queue = ids.map(uuid);
  const service = createItemsService({
    repository: createMemoryItemsRepository(),
    now: () => time,
    newId: () => {
      const id = queue.shift();
      if (id === undefined) throw new Error("out of ids");
      return id;
    },
  });
  return {
    service,
    setTime: (date: Date) => {
      time = date;
    },
  };
}

/** Runs `action` and returns the AppError it must reject with. */
async function appErrorOf(action: () => Promise<unknown>): Promise<AppError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("ItemsService.create", () => {
  it("when the input is valid then the item gets the injected id and time, version 1", async () => {
    const { service } = setup();
    const item = await service.create({ name: "  Widget  ", tags: ["blue", "x-1"] });
    expect(item).toEqual({
      id: uuid(1),
      name: "Widget",
      description: "",
      tags: ["blue", "x-1"],
      version: 1,
      createTime: t0,
      updateTime: t0,
    });
    expect(await service.get(uuid(1))).toEqual(item);
  });

  it("when several fields are invalid then one VALIDATION_FAILED lists every path", async () => {
    const { service } = setup();
    const error = await appErrorOf(() =>
      service.create({ name: "", tags: ["Bad Tag"], colour: "red" }),
    );
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.violations).toEqual([
      { field: "name", description: "must not be empty" },
      { field: "tags.0", description: "must contain only a-z, 0-9 and -" },
      { field: "", description: "unknown field(s): colour" },
    ]);
  });

  it("when the name is blank after trimming then it is refused", async () => {
    const { service } = setup();
    const error = await appErrorOf(() => service.create({ name: "   " }));
    expect(error.violations).toEqual([{ field: "name", description: "must not be empty" }]);
  });

  it("when the name is 201 characters then it is refused, and 200 are accepted", async () => {
    const { service } = setup();
    const error = await appErrorOf(() => service.create({ name: "n".repeat(201) }));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.violations.map((v) => v.field)).toEqual(["name"]);
    expect((await service.create({ name: "n".repeat(200) })).name).toHaveLength(200);
  });

  it("when tags repeat then the tags field is refused", async () => {
    const { service } = setup();
    const error = await appErrorOf(() => service.create({ name: "x", tags: ["a", "a"] }));
    expect(error.violations).toEqual([{ field: "tags", description: "must not repeat a tag" }]);
  });

  it("when the input is not an object then it is a validation failure", async () => {
    const { service } = setup();
    expect((await appErrorOf(() => service.create(null))).code).toBe("VALIDATION_FAILED");
  });

  it("when an invalid create is refused then no id is consumed and nothing is stored", async () => {
    const { service } = setup();
    await appErrorOf(() => service.create({ name: "" }));
    expect((await service.list({})).items).toEqual([]);
    expect((await service.create({ name: "ok" })).id).toBe(uuid(1));
  });
});

describe("ItemsService.get", () => {
  it("when the id is unknown then NOT_FOUND names it", async () => {
    const { service } = setup();
    const error = await appErrorOf(() => service.get(uuid(99)));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toBe(`item ${uuid(99)} does not exist`);
  });

  it("when the id is not a UUID then VALIDATION_FAILED names the id field", async () => {
    const { service } = setup();
    const error = await appErrorOf(() => service.get("not-a-uuid"));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.violations).toEqual([{ field: "id", description: "must be a UUID" }]);
  });

  it("when the id is given in upper case then the same item is found", async () => {
    const { service } = setup();
    const created = await service.create({ name: "case" });
    expect((await service.get(created.id.toUpperCase())).id).toBe(created.id);
  });
});

describe("parseItemId", () => {
  it("when ids of every shape are parsed then it accepts, lower-cases and refuses exactly as the schema does", () => {
    const ids = [
      "00000000-0000-4000-8000-000000000001",
      "0192F3C4-5B6A-7C8D-9E0F-A1B2C3D4E5F6",
      "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
      "00000000-0000-0000-0000-000000000000",
      "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
      "00000000-0000-0000-8000-000000000001",
      "00000000-0000-9000-8000-000000000001",
      "00000000-0000-4000-c000-000000000001",
      "{00000000-0000-4000-8000-000000000001}",
      "00000000000040008000000000000001",
      "00000000-0000-4000-8000-00000000000",
      " 00000000-0000-4000-8000-000000000001",
      "00000000-0000-4000-8000-000000000001\n",
      "",
      "not-a-uuid",
    ];
    for (const id of ids) {
      const schema = itemIdInput.safeParse({ id });
      if (schema.success) {
        expect(parseItemId(id), id).toBe(schema.data.id);
      } else {
        const error = (() => {
          try {
            parseItemId(id);
          } catch (thrown) {
            return thrown;
          }
        })();
        expect(error, id).toBeInstanceOf(AppError);
        expect((error as AppError).violations, id).toEqual([
          { field: "id", description: "must be a UUID" },
        ]);
      }
    }
  });
});

describe("ItemsService.list", () => {
  it("when items share a create time then pages follow id order and end with an empty token", async () => {
    const { service } = setup([3, 5, 1, 4, 2]);
    for (const name of ["c", "e", "a", "d", "b"]) await service.create({ name });

    const first = await service.list({ pageSize: 2 });
    expect(first.items.map((item) => item.id)).toEqual([uuid(1), uuid(2)]);
    expect(first.nextPageToken).not.toBe("");

    const second = await service.list({ pageSize: 2, pageToken: first.nextPageToken });
    expect(second.items.map((item) => item.id)).toEqual([uuid(3), uuid(4)]);

    const third = await service.list({ pageSize: 2, pageToken: second.nextPageToken });
    expect(third.items.map((item) => item.id)).toEqual([uuid(5)]);
    expect(third.nextPageToken).toBe("");
  });

  it("when the last page is exactly full then its token is empty", async () => {
    const { service } = setup();
    for (const name of ["a", "b"]) await service.create({ name });
    expect((await service.list({ pageSize: 2 })).nextPageToken).toBe("");
  });

  it("when create times differ then they order before ids", async () => {
    const { service, setTime } = setup([1, 2]);
    setTime(new Date("2030-01-02T00:00:00.000Z"));
    await service.create({ name: "later" });
    setTime(t0);
    await service.create({ name: "earlier" });
    expect((await service.list({})).items.map((item) => item.name)).toEqual(["earlier", "later"]);
  });

  it("when pageSize is 0 or absent then the default of 20 applies", async () => {
    const { service } = setup();
    for (let i = 0; i < 25; i += 1) await service.create({ name: `item ${i}` });
    const implicit = await service.list({});
    expect(implicit.items).toHaveLength(20);
    expect(implicit.nextPageToken).not.toBe("");
    expect((await service.list({ pageSize: 0 })).items).toHaveLength(20);
    expect((await service.list({ pageSize: 100 })).items).toHaveLength(25);
  });

  it("when pageSize is 101 then VALIDATION_FAILED names pageSize", async () => {
    const { service } = setup();
    const error = await appErrorOf(() => service.list({ pageSize: 101 }));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.violations.map((v) => v.field)).toEqual(["pageSize"]);
  });

  it("when the page token is tampered with then VALIDATION_FAILED names pageToken", async () => {
    const { service } = setup();
    for (const pageToken of [
      "not a token",
      Buffer.from('["yesterday","x"]').toString("base64url"),
      Buffer.from("{}").toString("base64url"),
    ]) {
      const error = await appErrorOf(() => service.list({ pageToken }));
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.violations).toEqual([
        { field: "pageToken", description: "is not a page token returned by this API" },
      ]);
    }
  });

  it("when the cursor's item was deleted then the next page still starts after it", async () => {
    const { service } = setup();
    for (const name of ["a", "b", "c"]) await service.create({ name });
    const pageToken = encodePageToken({ createTime: t0, id: uuid(1) });
    await service.delete(uuid(1));
    const page = await service.list({ pageToken });
    expect(page.items.map((item) => item.id)).toEqual([uuid(2), uuid(3)]);
  });
});

describe("ItemsService.update", () => {
  it("when the version is current then it bumps version and updateTime and keeps the rest", async () => {
    const { service, setTime } = setup();
    const created = await service.create({ name: "Widget", description: "old", tags: ["a"] });
    const later = new Date("2030-01-01T00:05:00.000Z");
    setTime(later);
    const updated = await service.update(created.id, { version: 1, description: "new" });
    expect(updated).toEqual({
      id: created.id,
      name: "Widget",
      description: "new",
      tags: ["a"],
      version: 2,
      createTime: t0,
      updateTime: later,
    });
    expect(await service.get(created.id)).toEqual(updated);
  });

  it("when the version is stale then VERSION_CONFLICT tells the current version", async () => {
    const { service } = setup();
    const created = await service.create({ name: "Widget" });
    await service.update(created.id, { version: 1, name: "Gadget" });
    const error = await appErrorOf(() => service.update(created.id, { version: 1, name: "Other" }));
    expect(error.code).toBe("VERSION_CONFLICT");
    expect(error.message).toBe(`item ${created.id} is at version 2; read it again and retry`);
    expect((await service.get(created.id)).name).toBe("Gadget");
  });

  it("when the version is missing then VALIDATION_FAILED names version", async () => {
    const { service } = setup();
    const created = await service.create({ name: "Widget" });
    const error = await appErrorOf(() => service.update(created.id, { name: "x" }));
    expect(error.violations.map((v) => v.field)).toEqual(["version"]);
  });

  it("when the item does not exist then NOT_FOUND", async () => {
    const { service } = setup();
    const error = await appErrorOf(() => service.update(uuid(42), { version: 1 }));
    expect(error.code).toBe("NOT_FOUND");
  });

  it("when the id is not a UUID then VALIDATION_FAILED names id", async () => {
    const { service } = setup();
    const error = await appErrorOf(() => service.update("7", { version: 1 }));
    expect(error.violations).toEqual([{ field: "id", description: "must be a UUID" }]);
  });
});

describe("ItemsService.delete", () => {
  it("when the version is stale then VERSION_CONFLICT and the item stays", async () => {
    const { service } = setup();
    const created = await service.create({ name: "Widget" });
    await service.update(created.id, { version: 1, name: "Gadget" });
    const error = await appErrorOf(() => service.delete(created.id, 1));
    expect(error.code).toBe("VERSION_CONFLICT");
    expect((await service.get(created.id)).version).toBe(2);
  });

  it("when the version is current then the item is deleted", async () => {
    const { service } = setup();
    const created = await service.create({ name: "Widget" });
    await service.delete(created.id, 1);
    expect((await appErrorOf(() => service.get(created.id))).code).toBe("NOT_FOUND");
  });

  it("when no version (or 0) is given then the item is deleted unconditionally", async () => {
    const { service } = setup();
    const first = await service.create({ name: "a" });
    const second = await service.create({ name: "b" });
    await service.update(first.id, { version: 1, name: "a2" });
    await service.delete(first.id);
    await service.delete(second.id, 0);
    expect((await service.list({})).items).toEqual([]);
  });

  it("when deleted twice then the second delete is NOT_FOUND", async () => {
    const { service } = setup();
    const created = await service.create({ name: "Widget" });
    await service.delete(created.id);
    const error = await appErrorOf(() => service.delete(created.id));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toBe(`item ${created.id} does not exist`);
  });
});
