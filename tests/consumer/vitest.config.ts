import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Packing four packages and installing them with npm takes a minute or two on two busy cores,
    // and Prism's start can take a minute on a loaded machine: limits against hangs, not timings.
    testTimeout: 300_000,
    hookTimeout: 420_000,
  },
});
