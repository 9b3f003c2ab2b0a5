import { defineConfig } from 'vitest/config';

// API Extractor and `changeset version` each take seconds on a shared core.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } });
