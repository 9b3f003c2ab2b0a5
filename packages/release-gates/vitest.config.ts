import { defineConfig } from 'vitest/config';

// API Extractor and `changeset version` each take seconds on a shared core.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The breaking-change cases each run redocly in a process of its own: two at a time is what
    // two shared cores take without starving the other packages' tests.
    maxConcurrency: 2,
  },
});
