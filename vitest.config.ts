import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // Two cores: integration files start real servers; a few at a time.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ["default"],
    // A per-run temp folder and, after the suite, a check that no process a test started is left.
    globalSetup: ["test/harness/global-setup.ts"],
    setupFiles: ["test/harness/file-cleanup.ts"],
  },
});
