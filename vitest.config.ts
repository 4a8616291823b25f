import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      "template",
      "cli",
      // Repository-level checks (local infrastructure, scripts) under test/.
      { test: { name: "repo", include: ["test/**/*.test.ts"], testTimeout: 20_000 } },
    ],
    // In CI a JSON report beside the console output lets .ci/run print totals.
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: ".vitest-report.json" }]]
      : ["default"],
  },
});
