import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      "template",
      "cli",
      // The packed CLI stamping real services: slow, run on its own after the rest (npm test).
      {
        test: {
          name: "e2e",
          include: ["cli/test/e2e/**/*.test.ts"],
          // Each file installs and tests a whole service: one at a time on two cores.
          fileParallelism: false,
          testTimeout: 1_200_000,
          hookTimeout: 300_000,
        },
      },
      // Repository-level checks (local infrastructure, scripts) under test/.
      {
        test: {
          name: "repo",
          include: ["test/**/*.test.ts"],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
    ],
    // In CI a JSON report beside the console output lets .ci/run print totals.
    reporters: process.env.CI
      ? [
          "default",
          ["json", { outputFile: process.env.VITEST_REPORT_FILE ?? ".vitest-report.json" }],
        ]
      : ["default"],
  },
});
