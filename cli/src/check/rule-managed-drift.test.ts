import { describe, expect, it } from "vitest";
import { checkService, createServiceFixture, outcomeOf } from "../../test/service-fixture.ts";

const id = "lumi/managed-drift";

describe(id, () => {
  it("when managed files have the hashes in the manifest, then it passes", async () => {
    const outcome = outcomeOf(await checkService(await createServiceFixture()), id);
    expect(outcome).toMatchObject({ status: "pass", findings: [] });
  });

  it("when managed files are edited or deleted, then it fails with one finding per file", async () => {
    const fixture = await createServiceFixture();
    await fixture.write("src/platform/config/schema.ts", "export const configSchema = {};\n");
    await fixture.remove("src/platform/config/ports.ts");
    const outcome = outcomeOf(await checkService(fixture), id);
    expect(outcome.status).toBe("fail");
    expect(outcome.findings).toEqual([
      { file: "src/platform/config/ports.ts", message: "managed file is missing" },
      {
        file: "src/platform/config/schema.ts",
        message: "managed file was modified since lumi wrote it",
      },
    ]);
  });

  it("when a seeded or merged file is edited, then it still passes", async () => {
    const fixture = await createServiceFixture();
    await fixture.write("README.md", "# payments, rewritten\n");
    await fixture.write("deploy/values-dev.yaml", "environment: dev\nreplicas: 2\n");
    expect(outcomeOf(await checkService(fixture), id).status).toBe("pass");
  });
});
