import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Packing four packages and installing them with npm takes a minute or two on two busy cores.
    testTimeout: 120_000,
    hookTimeout: 420_000,
  },
});
