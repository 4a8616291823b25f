import { describe, expect, it } from "vitest";
import { checkService, createServiceFixture } from "../../test/service-fixture.ts";
import type { LumiCliError } from "../errors/index.ts";
import { MANIFEST_PATH } from "../manifest/index.ts";
import { checkRules } from "./index.ts";

describe("runCheck", () => {
  it("when the service follows the golden path, then every rule passes and the report is ok", async () => {
    const fixture = await createServiceFixture();
    const report = await checkService(fixture);
    expect(report.rules.map((rule) => [rule.id, rule.status, rule.findings])).toEqual(
      checkRules.map((rule) => [rule.id, "pass", []]),
    );
    expect(report).toMatchObject({ dir: fixture.dir, ok: true, waiverProblems: [] });
  });

  it("when a rule fails, then the report is not ok", async () => {
    const fixture = await createServiceFixture({ "README.md": null });
    const report = await checkService(fixture);
    expect(report.ok).toBe(false);
  });

  it("when the directory has no manifest, then it throws a state error", async () => {
    const fixture = await createServiceFixture();
    await fixture.remove(MANIFEST_PATH);
    await expect(checkService(fixture)).rejects.toMatchObject({
      name: "LumiCliError",
      type: "state",
    } satisfies Partial<LumiCliError>);
  });

  it("then every rule has a stable lumi/ id, a title, a rationale and a fix hint", () => {
    for (const rule of checkRules) {
      expect(rule.id).toMatch(/^lumi\/[a-z]+(-[a-z]+)*$/);
      for (const text of [rule.title, rule.rationale, rule.fix]) {
        expect(text.trim()).not.toBe("");
        expect(text).not.toContain("\n");
      }
    }
    expect(new Set(checkRules.map((rule) => rule.id)).size).toBe(checkRules.length);
  });
});
