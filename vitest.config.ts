import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the dashboard (dist/dashboard) that test servers serve.
    globalSetup: ['test/dashboard/build.setup.ts'],
    // Bounds on how long a test or hook may run at all, not on how fast the product answers (tests that measure time
    // say so themselves): the suite runs on loaded 2-core CI machines, where a test of a thousand requests or a
    // Chromium start can take several times what it takes on a quiet one.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll's own default is 1 s: a dashboard render or a token fetch on a loaded 2-core CI runner takes
    // longer (CI failed on it). A poll that succeeds returns at once, so only a real failure waits this long; a poll
    // that states how soon something must happen gives its own timeout.
    expect: { poll: { timeout: 10_000 } },
  },
});
