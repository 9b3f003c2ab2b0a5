import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

const mainEntry = fileURLToPath(new URL('./src/index.ts', import.meta.url));

/**
 * The subpaths (`bulk`, `validation`, `webhooks`) import what they share with the main entry (the error
 * classes above all) from the built main entry itself, in each format: one copy of each class per
 * format, so that `instanceof PartnerCenterError` holds across entry points, in CommonJS too (which
 * has no shared chunks). Their sources import it as `../index.js`.
 */
const mainEntryShared: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'main-entry-shared',
  setup(build) {
    const main = build.initialOptions.format === 'cjs' ? './index.cjs' : './index.js';
    build.onResolve({ filter: /\/index\.js$/ }, ({ kind, path, resolveDir }) => {
      if (kind === 'entry-point' || resolve(resolveDir, path).replace(/\.js$/, '.ts') !== mainEntry) return undefined;
      return { path: main, external: true };
    });
  },
};

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    raw: 'src/raw.ts',
    bulk: 'src/bulk.ts',
    validation: 'src/validation.ts',
    webhooks: 'src/webhooks.ts',
  },
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
  esbuildPlugins: [mainEntryShared],
});
