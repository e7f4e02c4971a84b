import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the dashboard (dist/dashboard) that test servers serve.
    globalSetup: ['test/dashboard/build.setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // expect.poll's own default is 1 s: a dashboard render or a token fetch on a loaded 2-core CI runner takes
    // longer (CI failed on it). A poll that succeeds returns at once, so only a real failure waits this long.
    expect: { poll: { timeout: 10_000 } },
  },
});
