import { describe, expect, it } from "vitest";
import { checkService, createServiceFixture, outcomeOf } from "../../test/service-fixture.ts";
import { endOfDayUtc } from "./waivers.ts";

const id = "lumi/required-files";
const waiver = {
  rule: id,
  owner: "@acme/payments",
  reason: "ADRs move to the wiki",
  expires: "2030-12-31",
};

/** A service missing SECURITY.md and docs/adr/README.md, with the given waivers. */
async function withWaivers(waivers: unknown[]) {
  const fixture = await createServiceFixture({
    "SECURITY.md": null,
    "docs/adr/README.md": null,
    ".lumi/waivers.json": `${JSON.stringify(waivers, null, 2)}\n`,
  });
  return checkService(fixture);
}

describe("waivers", () => {
  it("when a valid waiver covers the failing rule, then the rule is waived and the report stays ok", async () => {
    const report = await withWaivers([waiver]);
    const outcome = outcomeOf(report, id);
    expect(outcome).toMatchObject({ status: "waived", waiver });
    expect(outcome.findings).toHaveLength(2);
    expect(report).toMatchObject({ ok: true, waiverProblems: [] });
  });

  it("when a waiver lists files, then findings elsewhere still fail the rule", async () => {
    const report = await withWaivers([{ ...waiver, files: ["docs/adr/"] }]);
    expect(outcomeOf(report, id)).toMatchObject({
      status: "fail",
      findings: [{ file: "SECURITY.md", message: "SECURITY.md is missing" }],
    });
    expect(report.ok).toBe(false);
  });

  it("when a waiver lacks owner, reason or expires, then it is a problem and does not waive", async () => {
    const report = await withWaivers([{ rule: id, expires: "2030-12-31" }]);
    expect(outcomeOf(report, id).status).toBe("fail");
    expect(report.ok).toBe(false);
    expect(report.waiverProblems).toEqual([
      { file: ".lumi/waivers.json", line: 2, message: `waiver ${id}: missing owner, reason` },
    ]);
  });

  it("when a waiver expired, then it does not waive and is reported as failing", async () => {
    const report = await withWaivers([
      waiver,
      { ...waiver, rule: "lumi/node-engine", expires: "2030-06-14" },
    ]);
    expect(outcomeOf(report, id).status).toBe("waived");
    expect(report.ok).toBe(false);
    expect(report.waiverProblems).toEqual([
      {
        file: ".lumi/waivers.json",
        line: 8,
        message:
          "waiver lumi/node-engine: expired on 2030-06-14 (owner @acme/payments); fix the rule or renew the waiver",
      },
    ]);
  });

  it("when a waiver expires today, then it still applies until the end of the day (UTC)", async () => {
    const report = await withWaivers([{ ...waiver, expires: "2030-06-15" }]);
    expect(outcomeOf(report, id).status).toBe("waived");
    expect(endOfDayUtc("2030-06-15")).toBe(Date.parse("2030-06-15T23:59:59.999Z"));
    expect(endOfDayUtc("2030-02-30")).toBeUndefined();
  });

  it("when a waiver names an unknown rule or a bad date, then it is a problem", async () => {
    const report = await withWaivers([
      { ...waiver, rule: "lumi/nope", expires: "31/12/2030", files: "x" },
    ]);
    expect(report.waiverProblems.map((problem) => problem.message)).toEqual([
      'waiver lumi/nope: names no known rule; files must be an array of paths; expires "31/12/2030" is not a YYYY-MM-DD date',
    ]);
  });

  it("when the waivers file is not a JSON array, then it throws a state error", async () => {
    const fixture = await createServiceFixture({
      ".lumi/waivers.json": '{ "rule": "lumi/node-engine" }',
    });
    await expect(checkService(fixture)).rejects.toMatchObject({ type: "state" });
    await fixture.write(".lumi/waivers.json", "[");
    await expect(checkService(fixture)).rejects.toMatchObject({ type: "state" });
  });
});
