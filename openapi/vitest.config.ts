import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser test launches Chromium and the lint test spawns Spectral: both take seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The breaking-change cases each run redocly in a process of its own: two at a time is what
    // two shared cores take without starving the other packages' tests.
    maxConcurrency: 2,
  },
});
