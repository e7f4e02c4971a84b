import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the dashboard (dist/dashboard) that test servers serve.
    globalSetup: ['test/dashboard/build.setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
