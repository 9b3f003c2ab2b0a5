import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  entry: { index: 'src/index.ts', raw: 'src/raw.ts', bulk: 'src/bulk.ts', validation: 'src/validation.ts' },
  format: ['esm', 'cjs'],
  // The spec package's rules, limits and exact JSON numbers are bundled in: the client's main
  // entries do not depend on the spec package at run time, nor pull the spec in. The validation
  // subpath loads the spec and its validators from the package itself (an optional peer dependency).
  noExternal: [/^@usagebudget\/openapi\/(rules|limits|json-numbers)$/],
  dts: true,
  clean: true,
  sourcemap: true,
  // ES2022 runs on Node >= 20 and every current browser; no downlevelling keeps the bundle small.
  target: 'es2022',
  platform: 'neutral',
  define: { __SDK_VERSION__: JSON.stringify(version) },
});
