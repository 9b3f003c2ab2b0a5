import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser test launches Chromium and the lint test spawns Spectral: seconds on an idle
    // machine, over a minute on two busy cores. Limits, not speed checks.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
