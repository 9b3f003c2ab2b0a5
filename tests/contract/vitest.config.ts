import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starting Prism takes a few seconds, more when both cores are busy with other test files.
    hookTimeout: 240_000,
    testTimeout: 30_000,
  },
});
