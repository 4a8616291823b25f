import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type TestService } from "./harness.ts";
import { fieldsOf, type ItemBody, problem, sendJson } from "./http-support.ts";

interface Page {
  items: ItemBody[];
  nextPageToken: string;
}

let svc: TestService;
/** The five items created up front, in list order (createTime, then id). */
let created: ItemBody[] = [];

beforeAll(async () => {
  svc = await startService({ RATE_LIMIT_ENABLED: "false" });
  for (const name of ["one", "two", "three", "four", "five"]) {
    const res = await sendJson(`${svc.httpUrl}/v1/items`, "POST", { name });
    created.push((await res.json()) as ItemBody);
  }
  created = created.sort(
    (a, b) => a.createTime.localeCompare(b.createTime) || (a.id < b.id ? -1 : 1),
  );
});

afterAll(async () => {
  await svc?.stop();
});

async function list(query: string): Promise<Page> {
  const res = await fetch(`${svc.httpUrl}/v1/items${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

/** Follows nextPageToken from the first page; at most 10 pages. */
async function walk(pageSize: number): Promise<string[][]> {
  const pages: string[][] = [];
  let token = "";
  do {
    const tokenQuery = token === "" ? "" : `&pageToken=${encodeURIComponent(token)}`;
    const page = await list(`?pageSize=${pageSize}${tokenQuery}`);
    pages.push(page.items.map((item) => item.id));
    token = page.nextPageToken;
  } while (token !== "" && pages.length < 10);
  return pages;
}

describe("pagination", () => {
  it('when pageSize=2 over 5 items, then the tokens walk 2+2+1 items in order and end with ""', async () => {
    const pages = await walk(2);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(created.map((item) => item.id));
  });

  it('when pageSize equals the item count, then one page and nextPageToken is ""', async () => {
    const page = await list("?pageSize=5");
    expect(page.items.map((item) => item.id)).toEqual(created.map((item) => item.id));
    expect(page.nextPageToken).toBe("");
  });

  it('when no pageSize is given, then the default page holds all 5 and nextPageToken is ""', async () => {
    const page = await list("");
    expect(page.items).toHaveLength(5);
    expect(page.nextPageToken).toBe("");
  });

  it("when the item a token points after is deleted, then the walk still continues after it", async () => {
    const first = await list("?pageSize=2");
    const last = first.items.at(-1);
    const extra = (await (
      await sendJson(`${svc.httpUrl}/v1/items`, "POST", { name: "late" })
    ).json()) as ItemBody;
    expect((await fetch(`${svc.httpUrl}/v1/items/${last?.id}`, { method: "DELETE" })).status).toBe(
      204,
    );
    const rest = await list(`?pageSize=10&pageToken=${encodeURIComponent(first.nextPageToken)}`);
    expect(rest.items.map((item) => item.id)).toEqual([
      ...created.slice(2).map((item) => item.id),
      extra.id,
    ]);
    expect(rest.nextPageToken).toBe("");
  });
});

describe("bad list queries", () => {
  it.each([
    ["pageToken=garbage", "pageToken"],
    [`pageToken=${Buffer.from('{"a":1}').toString("base64url")}`, "pageToken"],
    [`pageToken=${Buffer.from('["yesterday","x"]').toString("base64url")}`, "pageToken"],
    [`pageToken=${"a".repeat(513)}`, "pageToken"],
    ["pageSize=101", "pageSize"],
    ["pageSize=-1", "pageSize"],
    ["pageSize=2.5", "pageSize"],
    ["pageSize=abc", "pageSize"],
    ["pageSize=2&pageSize=3", "pageSize"],
  ])("when the query is %s, then 400 VALIDATION_FAILED on %s", async (query, field) => {
    const res = await fetch(`${svc.httpUrl}/v1/items?${query}`);
    const body = await problem(res, 400, "VALIDATION_FAILED");
    expect(fieldsOf(body)).toEqual([field]);
  });
});
