import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type TestService } from "./harness.ts";
import { fieldsOf, type ItemBody, problem, sendJson } from "./http-support.ts";

let svc: TestService;

beforeAll(async () => {
  svc = await startService({ RATE_LIMIT_ENABLED: "false" });
});

afterAll(async () => {
  await svc?.stop();
});

const url = (path: string) => `${svc.httpUrl}${path}`;

async function create(name: string, tags: string[] = []): Promise<ItemBody> {
  const res = await sendJson(url("/v1/items"), "POST", { name, tags });
  expect(res.status).toBe(201);
  return (await res.json()) as ItemBody;
}

describe("create and read", () => {
  it('when an item is created, then 201 with Location, ETag "1" and the item', async () => {
    const res = await sendJson(url("/v1/items"), "POST", { name: " first ", tags: ["a", "b-2"] });
    expect(res.status).toBe(201);
    const item = (await res.json()) as ItemBody;
    expect(res.headers.get("location")).toBe(`/v1/items/${item.id}`);
    expect(res.headers.get("etag")).toBe('"1"');
    expect(item).toMatchObject({ name: "first", description: "", tags: ["a", "b-2"], version: 1 });
    expect(item.createTime).toBe(item.updateTime);
    expect(new Date(item.createTime).toISOString()).toBe(item.createTime);
  });

  it("when a created item is read, then 200 with the same item and its ETag", async () => {
    const item = await create("readable");
    const res = await fetch(url(`/v1/items/${item.id}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"1"');
    expect(await res.json()).toEqual(item);
  });

  it("when If-None-Match holds the current ETag, then 304 with no body", async () => {
    const item = await create("cached");
    const res = await fetch(url(`/v1/items/${item.id}`), { headers: { "if-none-match": '"1"' } });
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe('"1"');
    expect(await res.text()).toBe("");
    const stale = await fetch(url(`/v1/items/${item.id}`), {
      headers: { "if-none-match": '"7"' },
    });
    expect(stale.status).toBe(200);
  });

  it("when an unknown id is read, then 404 NOT_FOUND", async () => {
    const res = await fetch(url("/v1/items/6f1c0e52-6d7e-4c57-9d1e-2f1f6a0c8b11"));
    await problem(res, 404, "NOT_FOUND");
  });

  it.each([
    ["GET", "not-a-uuid"],
    ["PATCH", "not-a-uuid"],
    ["DELETE", "123"],
  ])(
    "when %s uses the invalid id %s, then 400 VALIDATION_FAILED on field id",
    async (method, id) => {
      const res =
        method === "PATCH"
          ? await sendJson(url(`/v1/items/${id}`), method, { version: 1 })
          : await fetch(url(`/v1/items/${id}`), { method });
      const body = await problem(res, 400, "VALIDATION_FAILED");
      expect(fieldsOf(body)).toEqual(["id"]);
    },
  );
});

describe("validation", () => {
  it("when the name is empty, the tags bad and a field unknown, then 400 lists every violation", async () => {
    const res = await sendJson(url("/v1/items"), "POST", {
      name: "   ",
      tags: ["ok", "Not Valid", ""],
      colour: "red",
    });
    const body = await problem(res, 400, "VALIDATION_FAILED");
    expect(fieldsOf(body)).toEqual(["", "name", "tags.1", "tags.2"]);
    expect(body.errors?.find((e) => e.field === "")?.description).toContain("colour");
  });

  it("when every field has the wrong type, then 400 names each of them", async () => {
    const res = await sendJson(url("/v1/items"), "POST", { name: 5, description: [], tags: "x" });
    const body = await problem(res, 400, "VALIDATION_FAILED");
    expect(fieldsOf(body)).toEqual(["description", "name", "tags"]);
  });

  it("when a tag repeats, then 400 on field tags", async () => {
    const res = await sendJson(url("/v1/items"), "POST", { name: "dup", tags: ["a", "a"] });
    const body = await problem(res, 400, "VALIDATION_FAILED");
    expect(fieldsOf(body)).toEqual(["tags"]);
  });

  it("when the name or description carries control characters, then 400 names both fields", async () => {
    const res = await sendJson(url("/v1/items"), "POST", {
      name: "nul\u0000name",
      description: "bell\u0007",
    });
    const body = await problem(res, 400, "VALIDATION_FAILED");
    expect(fieldsOf(body).sort()).toEqual(["description", "name"]);
    const ok = await sendJson(url("/v1/items"), "POST", {
      name: "ok",
      description: "line\n\tnext",
    });
    expect(ok.status).toBe(201);
  });

  it("when the body is empty, then 400 on the required name", async () => {
    const res = await fetch(url("/v1/items"), { method: "POST" });
    const body = await problem(res, 400, "VALIDATION_FAILED");
    expect(fieldsOf(body)).toEqual(["name"]);
  });

  it("when an update has a bad name and an unknown field, then 400 lists both", async () => {
    const item = await create("to-validate");
    const res = await sendJson(url(`/v1/items/${item.id}`), "PATCH", {
      version: 1,
      name: "",
      owner: "x",
    });
    const body = await problem(res, 400, "VALIDATION_FAILED");
    expect(fieldsOf(body)).toEqual(["", "name"]);
  });
});

describe("update", () => {
  it('when the body carries the current version, then 200 with version 2 and ETag "2"', async () => {
    const item = await create("original", ["keep"]);
    const res = await sendJson(url(`/v1/items/${item.id}`), "PATCH", {
      version: 1,
      name: "renamed",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"2"');
    const updated = (await res.json()) as ItemBody;
    expect(updated).toMatchObject({ id: item.id, name: "renamed", tags: ["keep"], version: 2 });
    expect(updated.createTime).toBe(item.createTime);
    expect(Date.parse(updated.updateTime)).toBeGreaterThanOrEqual(Date.parse(item.updateTime));
    const read = await fetch(url(`/v1/items/${item.id}`));
    expect(((await read.json()) as ItemBody).name).toBe("renamed");
  });

  it("when If-Match carries the current version, then 200 and the next ETag", async () => {
    const item = await create("conditional");
    const res = await sendJson(
      url(`/v1/items/${item.id}`),
      "PATCH",
      { description: "set" },
      {
        "if-match": '"1"',
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"2"');
    const weak = await sendJson(
      url(`/v1/items/${item.id}`),
      "PATCH",
      { tags: ["x"] },
      {
        "if-match": 'W/"2"',
      },
    );
    expect(weak.status).toBe(200);
    expect(((await weak.json()) as ItemBody).version).toBe(3);
  });

  it("when the version is stale, then 409 VERSION_CONFLICT and nothing changes", async () => {
    const item = await create("contended");
    await sendJson(url(`/v1/items/${item.id}`), "PATCH", { version: 1, name: "winner" });
    const inBody = await sendJson(url(`/v1/items/${item.id}`), "PATCH", {
      version: 1,
      name: "loser",
    });
    await problem(inBody, 409, "VERSION_CONFLICT");
    const inHeader = await sendJson(
      url(`/v1/items/${item.id}`),
      "PATCH",
      { name: "loser" },
      {
        "if-match": '"1"',
      },
    );
    await problem(inHeader, 409, "VERSION_CONFLICT");
    const read = (await (await fetch(url(`/v1/items/${item.id}`))).json()) as ItemBody;
    expect(read).toMatchObject({ name: "winner", version: 2 });
  });

  it("when no version is sent, then 428 PRECONDITION_REQUIRED", async () => {
    const item = await create("unversioned");
    const res = await sendJson(url(`/v1/items/${item.id}`), "PATCH", { name: "x" });
    await problem(res, 428, "PRECONDITION_REQUIRED");
  });

  it("when the body is an array even with If-Match, then 400 VALIDATION_FAILED, not 428", async () => {
    const item = await create("array-body");
    const res = await sendJson(url(`/v1/items/${item.id}`), "PATCH", [{ name: "x" }], {
      "if-match": '"1"',
    });
    await problem(res, 400, "VALIDATION_FAILED");
  });

  it("when If-Match is not an ETag, then 400 on field If-Match", async () => {
    const item = await create("bad-precondition");
    const res = await sendJson(
      url(`/v1/items/${item.id}`),
      "PATCH",
      { name: "x" },
      {
        "if-match": "1",
      },
    );
    const body = await problem(res, 400, "VALIDATION_FAILED");
    expect(fieldsOf(body)).toEqual(["If-Match"]);
  });

  it("when the body version and If-Match disagree, then 400 on field version and nothing changes", async () => {
    const item = await create("two-versions");
    const res = await sendJson(
      url(`/v1/items/${item.id}`),
      "PATCH",
      { version: 1, name: "x" },
      { "if-match": '"2"' },
    );
    const body = await problem(res, 400, "VALIDATION_FAILED");
    expect(fieldsOf(body)).toEqual(["version"]);
    const after = (await (await fetch(url(`/v1/items/${item.id}`))).json()) as ItemBody;
    expect(after.name).toBe("two-versions");
  });
});

describe("delete", () => {
  it('when If-Match is "0", then 400 on If-Match and the item survives', async () => {
    const item = await create("guarded");
    const res = await fetch(url(`/v1/items/${item.id}`), {
      method: "DELETE",
      headers: { "if-match": '"0"' },
    });
    const body = await problem(res, 400, "VALIDATION_FAILED");
    expect(fieldsOf(body)).toEqual(["If-Match"]);
    expect((await fetch(url(`/v1/items/${item.id}`))).status).toBe(200);
  });

  it("when deleted with the current If-Match, then 204 and a later read is 404", async () => {
    const item = await create("doomed");
    const stale = await fetch(url(`/v1/items/${item.id}`), {
      method: "DELETE",
      headers: { "if-match": '"5"' },
    });
    await problem(stale, 409, "VERSION_CONFLICT");
    const res = await fetch(url(`/v1/items/${item.id}`), {
      method: "DELETE",
      headers: { "if-match": '"1"' },
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    await problem(await fetch(url(`/v1/items/${item.id}`)), 404, "NOT_FOUND");
  });

  it("when deleted without If-Match, then 204, and deleting again is 404", async () => {
    const item = await create("unconditional");
    const res = await fetch(url(`/v1/items/${item.id}`), { method: "DELETE" });
    expect(res.status).toBe(204);
    await problem(await fetch(url(`/v1/items/${item.id}`)), 404, "NOT_FOUND");
    const again = await fetch(url(`/v1/items/${item.id}`), { method: "DELETE" });
    await problem(again, 404, "NOT_FOUND");
  });
});
