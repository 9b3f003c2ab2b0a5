import { defineConfig } from 'tsup';

export default defineConfig({
  // cli is the bin's code (bin/usagebudget-mock.js imports dist/cli.js); it shares chunks with the library.
  entry: { index: 'src/index.ts', msw: 'src/msw.ts', prism: 'src/prism.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  // The msw entry carries the spec and its walk, so it loads in a browser with msw alone; the
  // other entries import the spec package at run time.
  noExternal: [/^@usagebudget\/openapi\/(usagebudget\.json|operations|pointer)$/],
  dts: {
    entry: { index: 'src/index.ts', msw: 'src/msw.ts', prism: 'src/prism.ts' },
  },
  // import.meta.url (where Prism is installed) in the CommonJS build.
  shims: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
