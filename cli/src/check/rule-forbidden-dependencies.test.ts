import { describe, expect, it } from "vitest";
import { checkService, createServiceFixture, outcomeOf } from "../../test/service-fixture.ts";
import { allowsForbidden } from "./rule-forbidden-dependencies.ts";

const id = "lumi/forbidden-dependencies";

const packageJson = (dependencies: object, devDependencies: object = {}) =>
  `${JSON.stringify({ name: "payments", engines: { node: ">=24" }, dependencies, devDependencies }, null, 2)}\n`;

describe(id, () => {
  it("when no dependency is on the list in a forbidden version, then it passes", async () => {
    const fixture = await createServiceFixture({
      "package.json": packageJson({ express: "^5.1.0", "node-fetch": "^3.3.2" }),
    });
    expect(outcomeOf(await checkService(fixture), id).status).toBe("pass");
  });

  it("when dependencies or devDependencies use forbidden packages, then it fails at each with the reason", async () => {
    const fixture = await createServiceFixture({
      "package.json": packageJson(
        { express: "^4.21.0", moment: "2.30.1" },
        { "node-fetch": "^2.7.0" },
      ),
    });
    const outcome = outcomeOf(await checkService(fixture), id);
    expect(outcome.status).toBe("fail");
    expect(outcome.findings.map(({ line, message }) => [line, message.split(":")[0]])).toEqual([
      [7, "dependencies has express@^4.21.0 (forbidden"],
      [8, "dependencies has moment@2.30.1"],
      [11, "devDependencies has node-fetch@^2.7.0 (forbidden"],
    ]);
    expect(outcome.findings[1]?.message).toContain("maintenance mode");
  });

  it("then a spec that may install a forbidden version counts, and one that cannot does not", () => {
    expect(allowsForbidden("^4.18.0", "<5")).toBe(true);
    expect(allowsForbidden(">=4", "<5")).toBe(true);
    expect(allowsForbidden("^5.0.0", "<5")).toBe(false);
    expect(allowsForbidden("latest", "<5")).toBe(true);
    expect(allowsForbidden("^5.0.0", "*")).toBe(true);
  });
});
