import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dependencies } from "../src/app/dependencies.ts";
import { renderEnvExample } from "../src/platform/config/index.ts";

describe(".env.example", () => {
  it("when compared with what the schema and the app's dependencies render then it is identical", () => {
    const committed = readFileSync(new URL("../.env.example", import.meta.url), "utf8");
    expect(committed, "run `npm run env-example`").toBe(renderEnvExample(dependencies));
  });
});
