import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Prism takes seconds to start, and much longer on two cores shared with other work: these are
    // limits against hangs, not timings.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
