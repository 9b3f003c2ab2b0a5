import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Several files start server processes; on two cores a cold start can take a second.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
