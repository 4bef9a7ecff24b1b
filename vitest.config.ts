import { defineConfig } from "vitest/config";

// Under CI a JSON report is written too, so .ci/run can print a plain "N passed, N failed" line.
const ci = Boolean(process.env.CI);

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ci ? ["default", ["json", { outputFile: ".vitest-results.json" }]] : ["default"],
  },
});
