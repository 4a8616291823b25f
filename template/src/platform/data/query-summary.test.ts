import { describe, expect, it } from "vitest";
import { describeQuery } from "./query-summary.ts";

describe("describeQuery", () => {
  it.each([
    ["SELECT id FROM items WHERE id = $1", "SELECT", "SELECT items"],
    ["  select *\n  from public.items i join tags t on true", "SELECT", "SELECT items"],
    ['SELECT 1 FROM "Odd Table"', "SELECT", "SELECT Odd Table"],
    ["SELECT 1", "SELECT", "SELECT"],
    ["INSERT INTO items (id) VALUES ($1)", "INSERT", "INSERT items"],
    ["UPDATE ONLY items SET name = $2 WHERE id = $1", "UPDATE", "UPDATE items"],
    ["DELETE FROM items WHERE id = $1", "DELETE", "DELETE items"],
    ["-- a comment\n/* another */ BEGIN", "BEGIN", "BEGIN"],
    ["CREATE TABLE x (a int)", "CREATE", "CREATE"],
    ["WITH t AS (SELECT 1) SELECT * FROM t", "WITH", "WITH"],
    ["", "UNKNOWN", "UNKNOWN"],
  ])("when the SQL is %j then it is %s / %s", (sql, operation, summary) => {
    expect(describeQuery(sql)).toEqual({ operation, summary });
  });
});
