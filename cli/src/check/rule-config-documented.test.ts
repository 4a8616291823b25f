import { describe, expect, it } from "vitest";
import { checkService, createServiceFixture, outcomeOf } from "../../test/service-fixture.ts";

const id = "lumi/config-documented";

describe(id, () => {
  it("when the service has the real template schema and .env.example, then it passes", async () => {
    const fixture = await createServiceFixture();
    await fixture.copyFromRepo(
      "template/src/platform/config/schema.ts",
      "src/platform/config/schema.ts",
    );
    await fixture.copyFromRepo(
      "template/src/platform/data/database-config.ts",
      "src/platform/data/database-config.ts",
    );
    await fixture.copyFromRepo("template/.env.example", ".env.example");
    await fixture.copyFromRepo("docs/configuration.md", "docs/configuration.md");
    expect(outcomeOf(await checkService(fixture), id)).toMatchObject({
      status: "pass",
      findings: [],
    });
  });

  it("when a key is missing, undocumented in .env.example or absent from the docs, then it fails per key", async () => {
    const fixture = await createServiceFixture({
      ".env.example": "# Lowest log level written.\n# LOG_LEVEL=info\n# HTTP_PORT=8080\n",
      "docs/configuration.md":
        "# Configuration\n\n`LOG_LEVEL` sets the level; `RPC_HTTP_PORT` is another key.\n",
    });
    const outcome = outcomeOf(await checkService(fixture), id);
    expect(outcome.findings).toEqual([
      { file: ".env.example", line: 3, message: "HTTP_PORT has no comment line above it" },
      {
        file: "docs/configuration.md",
        message: "HTTP_PORT is not described in docs/configuration.md",
      },
    ]);
  });

  it("when .env.example lacks a key and there are no docs, then it fails only for the example", async () => {
    const fixture = await createServiceFixture({
      ".env.example": "# Lowest log level written.\n# LOG_LEVEL=info\n",
      "docs/configuration.md": null,
    });
    expect(outcomeOf(await checkService(fixture), id).findings).toEqual([
      { file: ".env.example", message: "HTTP_PORT is not in .env.example" },
    ]);
  });

  it("when the schema is missing or spreads something unreadable, then it fails saying so", async () => {
    const fixture = await createServiceFixture({
      "src/platform/config/schema.ts":
        'import { more } from "@acme/config";\nexport const configSchema = { ...more, [key]: 1 };\n',
    });
    const messages = outcomeOf(await checkService(fixture), id).findings.map(
      (f) => `${f.line} ${f.message}`,
    );
    expect(messages).toEqual([
      "2 `configSchema` has a computed key; its keys cannot be read",
      "2 cannot follow `...more` to an object literal of the service",
    ]);
    await fixture.remove("src/platform/config/schema.ts");
    const missing = outcomeOf(await checkService(fixture), id).findings;
    expect(missing).toEqual([
      { file: "src/platform/config/schema.ts", message: "src/platform/config/schema.ts not found" },
    ]);
  });
});
