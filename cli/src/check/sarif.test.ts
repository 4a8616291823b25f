import { readFile } from "node:fs/promises";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { checkService, createServiceFixture } from "../../test/service-fixture.ts";
import { type CheckReport, checkRules, toSarif } from "./index.ts";

const schemaFile = path.resolve(import.meta.dirname, "../../test/fixtures/sarif-schema-2.1.0.json");

async function sarifValidator() {
  const schema = JSON.parse(await readFile(schemaFile, "utf8")) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

/** A service failing three rules, one of them waived, with one expired waiver. */
async function failingReport(): Promise<CheckReport> {
  const fixture = await createServiceFixture({
    "README.md": null,
    "package.json": JSON.stringify({
      engines: { node: ">=20" },
      dependencies: { request: "^2.88.0" },
    }),
    ".lumi/waivers.json": JSON.stringify([
      {
        rule: "lumi/node-engine",
        owner: "@acme/payments",
        reason: "Node 24 rollout",
        expires: "2031-01-01",
      },
      { rule: "lumi/helm-values", owner: "@acme/payments", reason: "old", expires: "2020-01-01" },
    ]),
  });
  return checkService(fixture);
}

describe("toSarif", () => {
  it("when the report passes, then the log validates against the SARIF 2.1.0 schema and has no results", async () => {
    const log = toSarif(await checkService(await createServiceFixture()), "0.0.4");
    const validate = await sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log).toMatchObject({
      version: "2.1.0",
      $schema: expect.stringContaining("sarif-schema-2.1.0.json"),
    });
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]?.results).toEqual([]);
    expect(log.runs[0]?.tool.driver).toMatchObject({ name: "lumi", version: "0.0.4" });
    expect(log.runs[0]?.tool.driver.rules?.map((rule) => rule.id)).toEqual(
      checkRules.map((rule) => rule.id),
    );
  });

  it("when the report fails, then the log validates and has an error result per finding", async () => {
    const report = await failingReport();
    const log = toSarif(report, "0.0.4");
    const validate = await sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const run = log.runs[0];
    expect(run?.tool.driver.rules?.[0]).toEqual({
      id: checkRules[0]?.id,
      shortDescription: { text: checkRules[0]?.title },
      fullDescription: { text: checkRules[0]?.rationale },
      help: { text: checkRules[0]?.fix },
    });
    const readme = run?.results?.find((result) => result.ruleId === "lumi/required-files");
    expect(readme).toMatchObject({
      level: "error",
      message: { text: "README.md is missing" },
      locations: [{ physicalLocation: { artifactLocation: { uri: "README.md" } } }],
    });
    const engine = run?.results?.find((result) => result.ruleId === "lumi/node-engine");
    expect(engine).toMatchObject({
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: "package.json" }, region: { startLine: 1 } },
        },
      ],
      suppressions: [
        {
          kind: "external",
          justification: "Node 24 rollout (owner @acme/payments, until 2031-01-01)",
        },
      ],
    });
    const failing = report.rules
      .filter((rule) => rule.status !== "pass")
      .flatMap((rule) => rule.findings);
    expect(run?.results).toHaveLength(failing.length);
    expect(run?.invocations?.[0]?.toolConfigurationNotifications).toEqual([
      expect.objectContaining({
        level: "error",
        message: { text: expect.stringContaining("expired on 2020-01-01") },
      }),
    ]);
  });

  it("when a finding has no file, then its result has no location and still validates", async () => {
    const report: CheckReport = {
      dir: "/srv/payments",
      ok: false,
      rules: [
        {
          id: "lumi/x",
          title: "t",
          rationale: "r",
          fix: "f",
          status: "fail",
          findings: [{ message: "m" }],
        },
      ],
      waiverProblems: [],
    };
    const log = toSarif(report, "0.0.4");
    expect(log.runs[0]?.results?.[0]).not.toHaveProperty("locations");
    expect((await sarifValidator())(log)).toBe(true);
  });
});
