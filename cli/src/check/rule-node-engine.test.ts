import { describe, expect, it } from "vitest";
import { checkService, createServiceFixture, outcomeOf } from "../../test/service-fixture.ts";
import { nodeEngineProblem } from "./rule-node-engine.ts";

const id = "lumi/node-engine";

const packageJson = (engines: unknown) =>
  `${JSON.stringify({ name: "payments", ...(engines === undefined ? {} : { engines }) }, null, 2)}\n`;

describe(id, () => {
  it("when engines.node requires Node 24 or newer, then it passes", async () => {
    expect(outcomeOf(await checkService(await createServiceFixture()), id).status).toBe("pass");
    for (const range of [">=24", "^24.1.0", "24.x || 26.x", ">=24.0.0 <27"]) {
      expect(nodeEngineProblem(range)).toBeUndefined();
    }
  });

  it("when engines.node allows an older Node, then it fails at that line", async () => {
    const fixture = await createServiceFixture({ "package.json": packageJson({ node: ">=20" }) });
    expect(outcomeOf(await checkService(fixture), id).findings).toEqual([
      {
        file: "package.json",
        line: 4,
        message: 'engines.node ">=20" allows Node 20.0.0; require 24.0.0 or newer',
      },
    ]);
  });

  it("when engines.node is missing, then it fails", async () => {
    const fixture = await createServiceFixture({ "package.json": packageJson(undefined) });
    expect(outcomeOf(await checkService(fixture), id).findings).toEqual([
      { file: "package.json", line: undefined, message: "engines.node is not set" },
    ]);
  });

  it("when the range is no semver range or package.json is broken, then it fails saying so", async () => {
    expect(nodeEngineProblem("lts")).toBe('engines.node "lts" is not a semver range');
    expect(nodeEngineProblem("<0.0.0-0")).toBe('engines.node "<0.0.0-0" matches no version');
    const fixture = await createServiceFixture({ "package.json": '{ "name": \n' });
    const outcome = outcomeOf(await checkService(fixture), id);
    expect(outcome.status).toBe("fail");
    expect(outcome.findings[0]?.file).toBe("package.json");
  });
});
