import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "apps/server/src/**/*.test.ts",
      "apps/server/test/**/*.test.ts",
      "packages/*/src/**/*.test.ts",
      "apps/web/src/**/*.test.ts",
      "apps/web/e2e/**/*.test.ts",
    ],
    globalSetup: ["apps/server/test/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    reporters: ["default"],
  },
});
