import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The same build-time constant tsup defines, so the tests run the source as it ships.
  define: { __SDK_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    // The package test packs the tarball, installs it with npm and runs tsc: tens of seconds on
    // an idle machine, minutes on two busy cores. A limit, not a speed check.
    testTimeout: 180_000,
  },
});
