import { defineConfig } from 'tsup';

const common = {
  // import.meta.url (where Prism is installed) in the CommonJS build.
  shims: true,
  clean: false,
  sourcemap: true,
  target: 'node20',
} as const;

export default defineConfig([
  {
    ...common,
    // cli is the bin's code (bin/usagebudget-mock.js imports dist/cli.js); it shares chunks with the library.
    entry: { index: 'src/index.ts', prism: 'src/prism.ts', cli: 'src/cli.ts' },
    format: ['esm', 'cjs'],
    // The stateful mode's module is built apart, below, and imported as it is at run time.
    external: ['./stateful-mock.js'],
    dts: { entry: { index: 'src/index.ts', prism: 'src/prism.ts' } },
  },
  {
    ...common,
    // Built apart, so it shares no chunk: it carries the spec and its walk, and loads in a browser
    // with msw alone (the other entries import the spec package at run time).
    entry: { msw: 'src/msw.ts' },
    format: ['esm', 'cjs'],
    noExternal: [/^@usagebudget\/openapi\/(usagebudget\.json|operations|pointer)$/],
    dts: true,
  },
  {
    ...common,
    // The stateful mode (the server, its SQLite and the test controls) in one ES module, which both
    // builds import only when a stateful mock starts: the server is ESM, and a CommonJS build
    // would otherwise require it.
    entry: { 'stateful-mock': 'src/stateful-mock.ts' },
    format: ['esm'],
  },
]);
