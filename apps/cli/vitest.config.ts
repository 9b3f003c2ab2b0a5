import { defineConfig } from 'vitest/config';

// The end-to-end tests spawn the built CLI, the reference server, Prism and the demo.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 240_000 } });
