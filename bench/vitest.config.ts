import { defineConfig } from 'vitest/config';

// Unit tests of the pure helpers only; the benchmark itself is `pnpm bench`, never a test.
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
