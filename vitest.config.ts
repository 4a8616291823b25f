import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["template"],
    // In CI a JSON report beside the console output lets .ci/run print totals.
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: ".vitest-report.json" }]]
      : ["default"],
  },
});
