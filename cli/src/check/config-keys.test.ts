import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createServiceFixture, repoRoot } from "../../test/service-fixture.ts";
import { extractConfigKeys } from "./config-keys.ts";
import { parseEnvExample } from "./env-example.ts";
import { tokenize } from "./ts-tokens.ts";

describe("extractConfigKeys", () => {
  it("when reading the real template schema, then it finds exactly the keys of the template's .env.example", async () => {
    const { keys, problems } = await extractConfigKeys(path.join(repoRoot, "template"));
    const example = parseEnvExample(
      await readFile(path.join(repoRoot, "template/.env.example"), "utf8"),
    );
    expect(problems).toEqual([]);
    expect(keys.map((key) => key.key).sort()).toEqual([...example.keys()].sort());
    expect(keys.find((key) => key.key === "DATABASE_URL")?.file).toBe(
      "src/platform/data/database-config.ts",
    );
    expect([...example.values()].every((entry) => entry.documented)).toBe(true);
  });

  it("when keys are quoted, shorthand, wrapped, in local or namespace spreads, then it finds them all", async () => {
    const fixture = await createServiceFixture({
      "src/platform/config/schema.ts": [
        'import * as more from "./more.js";',
        "// BROKEN_KEY: not a key, a comment",
        `const local = { LOCAL_KEY: str({ desc: \`uses \${'}'} and {braces}\` }) };`,
        "const SHORT = 1;",
        "export const configSchema: Schema = Object.freeze({",
        '  "QUOTED_KEY": str({ desc: "a } brace", pattern: /[}]/ }),',
        "  SHORT,",
        "  ...local,",
        "  ...more.extra,",
        "  NESTED: obj({ INNER: 1 }),",
        "});",
      ].join("\n"),
      "src/platform/config/more.ts": 'export { extra } from "./extra.ts";\n',
      "src/platform/config/extra.ts": "export const extra = { EXTRA_KEY: 1 };\n",
    });
    const { keys, problems } = await extractConfigKeys(fixture.dir);
    expect(problems).toEqual([]);
    expect(keys.map(({ key, file, line }) => `${key} ${file}:${line}`)).toEqual([
      "QUOTED_KEY src/platform/config/schema.ts:6",
      "SHORT src/platform/config/schema.ts:7",
      "NESTED src/platform/config/schema.ts:10",
      "LOCAL_KEY src/platform/config/schema.ts:3",
      "EXTRA_KEY src/platform/config/extra.ts:1",
    ]);
  });

  it("when the schema has no configSchema literal, then it reports that", async () => {
    const fixture = await createServiceFixture({
      "src/platform/config/schema.ts": "export const other = {};\n",
    });
    expect((await extractConfigKeys(fixture.dir)).problems).toEqual([
      {
        file: "src/platform/config/schema.ts",
        line: undefined,
        message: "cannot find the object literal `configSchema` in src/platform/config/schema.ts",
      },
    ]);
  });
});

describe("tokenize", () => {
  it("when source has comments, strings, templates and regexes, then braces inside them are not tokens", () => {
    const tokens = tokenize(`a = \`x\${ { b: '}' } }y\` /* } */ + /}/g; // }\nc / d`);
    expect(tokens.map((token) => token.text)).toEqual([
      "a",
      "=",
      `\`x\${ { b: '}' } }y\``,
      "+",
      "/}/g",
      ";",
      "c",
      "/",
      "d",
    ]);
  });
});
