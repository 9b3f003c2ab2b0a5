import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The same build-time constant tsup defines, so the tests run the source as it ships.
  define: { __SDK_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    // The bulk tests run the reference server's process and a throttled portfolio: tens of
    // seconds on an idle machine, minutes on two busy cores. A limit, not a speed check.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
