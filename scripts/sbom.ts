// Writes the CycloneDX SBOM of the golden service: the production dependency tree of the template
// workspace as installed (npm ls), JSON, spec 1.6, reproducible and validated, with no network.
//
//   node scripts/sbom.ts [output-file]      (npm run sbom [-- <output-file>])
//
// Default output: sbom/lumi-template-<version>.cdx.json. The release workflow attaches it to the
// GitHub release; the image additionally carries BuildKit's own SBOM attestation.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

const { version } = JSON.parse(
  readFileSync(path.join(ROOT, "template", "package.json"), "utf8"),
) as {
  version: string;
};
const output = path.resolve(
  process.argv[2] ?? path.join(ROOT, "sbom", `lumi-template-${version}.cdx.json`),
);
mkdirSync(path.dirname(output), { recursive: true });

// The package exports only its API; its bin file sits beside the entry point.
const entry = createRequire(import.meta.url).resolve("@cyclonedx/cyclonedx-npm");
const cli = path.join(path.dirname(entry), "bin", "cyclonedx-npm-cli.js");
const result = spawnSync(
  process.execPath,
  [
    cli,
    "--workspace",
    "template",
    "--omit",
    "dev",
    "--mc-type",
    "application",
    "--spec-version",
    "1.6",
    "--output-reproducible",
    "--validate",
    "--output-format",
    "JSON",
    "--output-file",
    output,
  ],
  // npm ls is all it needs: refuse the network so that the SBOM describes what is installed.
  { cwd: ROOT, stdio: "inherit", env: { ...process.env, npm_config_offline: "true" } },
);
if (result.status !== 0) {
  console.error(`sbom: cyclonedx-npm failed (exit ${result.status ?? result.signal})`);
  process.exit(1);
}
const bom = JSON.parse(readFileSync(output, "utf8")) as { components?: unknown[] };
console.log(
  `sbom: wrote ${path.relative(ROOT, output)} (${bom.components?.length ?? 0} components)`,
);
