import { describe, expect, it } from "vitest";
import { checkService, createServiceFixture, outcomeOf } from "../../test/service-fixture.ts";
import { MANIFEST_PATH } from "../manifest/index.ts";
import { releasesAhead } from "./rule-template-version.ts";

const id = "lumi/template-version";

async function stampedFrom(templateVersion: string) {
  const fixture = await createServiceFixture();
  await fixture.updateManifest((manifest) => ({ ...manifest, templateVersion }));
  return fixture;
}

describe(id, () => {
  it("when the service is two releases behind the CLI, then it passes", async () => {
    const report = await checkService(await stampedFrom("0.0.2"));
    expect(outcomeOf(report, id).status).toBe("pass");
  });

  it("when the service is three releases behind, then it fails at the manifest's templateVersion", async () => {
    const fixture = await stampedFrom("0.0.1");
    const outcome = outcomeOf(await checkService(fixture), id);
    const line =
      (await fixture.read(MANIFEST_PATH))
        .split("\n")
        .findIndex((l) => l.includes('"templateVersion"')) + 1;
    expect(outcome.status).toBe("fail");
    expect(outcome.findings).toEqual([
      {
        file: MANIFEST_PATH,
        line,
        message: "template 0.0.1 is 3 releases behind 0.0.4 (at most 2 allowed)",
      },
    ]);
  });

  it("when the service was stamped by a newer CLI, then it fails asking to update lumi", async () => {
    const outcome = outcomeOf(await checkService(await stampedFrom("0.1.0")), id);
    expect(outcome.findings[0]?.message).toContain("newer than this lumi (0.0.4)");
  });

  it("when the template version is not semver, then it fails", async () => {
    const outcome = outcomeOf(await checkService(await stampedFrom("latest")), id);
    expect(outcome.findings[0]?.message).toBe('templateVersion "latest" is not a version');
  });

  it("when the CLI version is missing from the releases, then it still counts as the newest", () => {
    expect(releasesAhead("0.0.1", ["0.0.1", "0.0.2"], "0.0.3")).toEqual(["0.0.2", "0.0.3"]);
    expect(releasesAhead("0.0.3", ["0.0.1", "0.0.2", "0.0.3"], "0.0.3")).toEqual([]);
  });
});
