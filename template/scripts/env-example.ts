import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dependencies } from "../src/app/dependencies.ts";
import { renderEnvExample } from "../src/platform/config/index.ts";

const target = fileURLToPath(new URL("../.env.example", import.meta.url));
const expected = renderEnvExample(dependencies);

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // a missing file is stale too
  }
  if (current !== expected) {
    console.error(".env.example is stale: run `npm run config:env-example` and commit it.");
    process.exit(1);
  }
} else {
  writeFileSync(target, expected);
  console.log(`wrote ${target}`);
}
