import { describe, expect, it } from "vitest";
import { checkService, createServiceFixture, outcomeOf } from "../../test/service-fixture.ts";
import { parseCheckConfig } from "./config.ts";

const config = (value: object) => ({ ".lumi/check.json": JSON.stringify(value) });

describe(".lumi/check.json", () => {
  it("when maxReleasesBehind is lowered to 0, then one release behind fails", async () => {
    const report = await checkService(await createServiceFixture(config({ maxReleasesBehind: 0 })));
    expect(outcomeOf(report, "lumi/template-version").findings[0]?.message).toBe(
      "template 0.0.3 is 1 releases behind 0.0.4 (at most 0 allowed)",
    );
  });

  it("when maxReleasesBehind is raised, then an older template passes", async () => {
    const fixture = await createServiceFixture(config({ maxReleasesBehind: 5 }));
    await fixture.updateManifest((manifest) => ({ ...manifest, templateVersion: "0.0.1" }));
    expect(outcomeOf(await checkService(fixture), "lumi/template-version").status).toBe("pass");
  });

  it("when forbiddenDependencies is set, then it replaces the default list", async () => {
    const fixture = await createServiceFixture({
      ...config({
        forbiddenDependencies: [{ name: "vitest", range: "<4", reason: "use vitest 4" }],
      }),
      "package.json": JSON.stringify({
        engines: { node: ">=24" },
        dependencies: { lodash: "^4.17.21" },
        devDependencies: { vitest: "^3.2.0" },
      }),
    });
    const outcome = outcomeOf(await checkService(fixture), "lumi/forbidden-dependencies");
    expect(outcome.findings.map((finding) => finding.message)).toEqual([
      "devDependencies has vitest@^3.2.0 (forbidden: <4): use vitest 4",
    ]);
  });

  it("when waiversFile is set, then waivers are read from it, and it must exist", async () => {
    const waivers = [
      { rule: "lumi/required-files", owner: "@a", reason: "r", expires: "2031-01-01" },
    ];
    const fixture = await createServiceFixture({
      ...config({ waiversFile: "ops/waivers.json" }),
      "ops/waivers.json": JSON.stringify(waivers),
      "README.md": null,
    });
    expect(outcomeOf(await checkService(fixture), "lumi/required-files").status).toBe("waived");
    await fixture.remove("ops/waivers.json");
    await expect(checkService(fixture)).rejects.toThrow("ops/waivers.json not found");
  });

  it("when the configuration is malformed, then it throws a state error naming the problem", async () => {
    const cases: [unknown, string][] = [
      [[], "not an object"],
      [{ maxReleasesBehind: -1 }, "maxReleasesBehind"],
      [{ maxReleases: 2 }, 'unknown key "maxReleases"'],
      [{ forbiddenDependencies: [{ name: "x", range: "not a range", reason: "r" }] }, "range"],
      [{ forbiddenDependencies: [{ name: "x" }] }, "forbiddenDependencies[0].reason is required"],
    ];
    for (const [value, message] of cases) {
      expect(() => parseCheckConfig(value)).toThrow(
        expect.objectContaining({ type: "state", message: expect.stringContaining(message) }),
      );
    }
    const fixture = await createServiceFixture({ ".lumi/check.json": "{" });
    await expect(checkService(fixture)).rejects.toMatchObject({
      type: "state",
      message: ".lumi/check.json is not valid JSON",
    });
  });
});
