import { describe, expect, it } from "vitest";
import { checkService, createServiceFixture, outcomeOf } from "../../test/service-fixture.ts";
import { isOwnerLine } from "./rule-required-files.ts";

const id = "lumi/required-files";

describe(id, () => {
  it("when every required file exists and CODEOWNERS names an owner, then it passes", async () => {
    expect(outcomeOf(await checkService(await createServiceFixture()), id).status).toBe("pass");
  });

  it("when CODEOWNERS is under .github/, then it passes", async () => {
    const fixture = await createServiceFixture({
      CODEOWNERS: null,
      ".github/CODEOWNERS": "* @acme/payments\n",
    });
    expect(outcomeOf(await checkService(fixture), id).status).toBe("pass");
  });

  it("when files are missing or empty, then it fails naming each", async () => {
    const fixture = await createServiceFixture({
      "SECURITY.md": null,
      "docs/adr/README.md": null,
      ".env.example": "  \n",
      CODEOWNERS: null,
    });
    const outcome = outcomeOf(await checkService(fixture), id);
    expect(outcome.status).toBe("fail");
    expect(outcome.findings).toEqual([
      { file: "SECURITY.md", message: "SECURITY.md is missing" },
      { file: "docs/adr/README.md", message: "docs/adr/README.md is missing" },
      { file: ".env.example", message: ".env.example is empty" },
      { file: "CODEOWNERS", message: "CODEOWNERS is missing" },
    ]);
  });

  it("when CODEOWNERS has only comments and patterns without owners, then it fails", async () => {
    const fixture = await createServiceFixture({ CODEOWNERS: "# owners\n*\n/docs/ # nobody\n" });
    const outcome = outcomeOf(await checkService(fixture), id);
    expect(outcome.findings).toEqual([
      { file: "CODEOWNERS", message: "CODEOWNERS names no owner (a line `<pattern> @org/team`)" },
    ]);
  });

  it("then owner lines are a pattern followed by a @user, @org/team or email", () => {
    expect(isOwnerLine("* @acme/payments")).toBe(true);
    expect(isOwnerLine("/docs/ docs@example.com")).toBe(true);
    expect(isOwnerLine("*.ts @alice @bob")).toBe(true);
    expect(isOwnerLine("# * @acme/payments")).toBe(false);
    expect(isOwnerLine("@acme/payments")).toBe(false);
    expect(isOwnerLine("* acme")).toBe(false);
  });
});
