import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One stateful mock for the whole run, started and stopped here (the root README's snippet).
    globalSetup: ['test/global-setup.ts'],
    // Limits, not speed checks: starting a mock on two busy cores takes seconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
