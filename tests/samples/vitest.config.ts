import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each sample is a Node or shell process, and each file starts the reference server: seconds
    // apiece when both cores are busy with other packages' tests.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
