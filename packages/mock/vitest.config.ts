import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Prism takes seconds to start on two busy cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
