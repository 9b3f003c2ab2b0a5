import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two generator JVMs, javac and the reference server share two busy cores: limits against
    // hangs, not timings.
    hookTimeout: 240_000,
    testTimeout: 240_000,
  },
});
