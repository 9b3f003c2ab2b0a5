import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser test launches Chromium and the lint test spawns Spectral: both take seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
