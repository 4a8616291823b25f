// Checks the Prometheus rules in deploy/prometheus with promtool: `promtool check rules` on every
// *.rules.yaml (the files Prometheus loads) and `promtool test rules` on every *.rules.test.yaml.
// Every rule file needs a test file beside it. Runs every step, then exits 1 when any failed.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const RULES_DIR = path.join(ROOT, "deploy", "prometheus");

/** Runs promtool with its output shown and returns its exit status; exits 1 if it is missing. */
function promtool(args: string[]): number {
  const result = spawnSync("promtool", args, { cwd: ROOT, stdio: "inherit" });
  if (result.error) {
    const reason =
      (result.error as NodeJS.ErrnoException).code === "ENOENT"
        ? "promtool is not on PATH"
        : `cannot run promtool (${result.error.message})`;
    console.error(
      [
        `rules:check: ${reason}.`,
        "promtool comes with Prometheus. On Debian or Ubuntu install the `prometheus` package:",
        "  sudo apt-get install prometheus",
        "elsewhere put promtool from a Prometheus release archive on PATH.",
      ].join("\n"),
    );
    process.exit(1);
  }
  return result.status ?? 1;
}

const files = existsSync(RULES_DIR) ? readdirSync(RULES_DIR).sort() : [];
const ruleFiles = files.filter((file) => file.endsWith(".rules.yaml"));
const testFiles = files.filter((file) => file.endsWith(".rules.test.yaml"));
const relative = (file: string) => path.relative(ROOT, path.join(RULES_DIR, file));

const failed: string[] = [];
if (ruleFiles.length === 0) {
  console.error(`rules:check: no *.rules.yaml in ${path.relative(ROOT, RULES_DIR)}.`);
  failed.push("rule files");
}
for (const file of ruleFiles) {
  const test = file.replace(/\.rules\.yaml$/, ".rules.test.yaml");
  if (!testFiles.includes(test)) {
    console.error(`rules:check: ${relative(file)} has no unit tests; add ${relative(test)}.`);
    failed.push(`tests for ${file}`);
  }
}
if (ruleFiles.length > 0) {
  console.log("rules:check: promtool check rules");
  if (promtool(["check", "rules", ...ruleFiles.map(relative)]) !== 0) failed.push("check rules");
}
if (testFiles.length > 0) {
  console.log("rules:check: promtool test rules");
  if (promtool(["test", "rules", ...testFiles.map(relative)]) !== 0) failed.push("test rules");
}
if (failed.length > 0) {
  console.error(`rules:check: failed: ${failed.join(", ")}`);
  process.exit(1);
}
