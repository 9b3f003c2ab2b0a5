import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

// Runs against dist/ through the package's own exports map, as a consumer's bundler would.
it('bundles for the browser without any Node built-in', async () => {
  const result = await build({
    stdin: {
      contents: `import { UsageBudgetClient } from '@usagebudget/client';
        const client = new UsageBudgetClient({ credential: () => 'token' });
        client.getBudget('0c39d6d5-c70d-4c55-bc02-f620844f3fd1').then(console.log);`,
      resolveDir: packageDir,
    },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  const inputs = Object.entries(result.metafile.inputs);
  const imported = inputs.flatMap(([, input]) => input.imports.map((entry) => entry.path));
  expect(imported.filter((path) => builtins.has(path))).toEqual([]);
  expect(inputs.flatMap(([, input]) => input.imports.filter((entry) => entry.external))).toEqual([]);
  const files = inputs.map(([path]) => path);
  // axios picked its browser adapter, not the Node http one.
  expect(files.some((path) => path.endsWith('axios/lib/adapters/xhr.js'))).toBe(true);
  expect(files.filter((path) => path.endsWith('axios/lib/adapters/http.js'))).toEqual([]);
});

// 6.25 KB: the per-call `requestId` and shared `throttle` options (what makes the bulk operations
// exactly once and throttle-aware through the one attempt loop) took the entry past 6 KB.
it('keeps the ESM entry within 6.25 KB minified and gzipped, axios excluded', async () => {
  const result = await build({
    entryPoints: [`${packageDir}/dist/index.js`],
    bundle: true,
    minify: true,
    format: 'esm',
    external: ['axios'],
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  expect(output).toBeDefined();
  expect(gzipSync(output?.contents ?? new Uint8Array()).length).toBeLessThanOrEqual(6.25 * 1024);
});
