import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { customerId, token } from './requests.js';

const run = promisify(execFile);

/** The client's ESM entry, as `import` resolves it, and the package folder around it. */
const clientEntry = fileURLToPath(import.meta.resolve('@usagebudget/client'));
const clientDir = dirname(createRequire(import.meta.url).resolve('@usagebudget/client/package.json'));

export interface BundleSize {
  /** What `import` loads before any call: the entry and the chunks it imports statically, axios excluded. */
  readonly minifiedBytes: number;
  readonly gzipBytes: number;
  /** The chunks the entry loads on first use (`import()`: a listing's walk, how failures read, ...), each gzipped alone. */
  readonly lazyChunks: readonly { readonly name: string; readonly gzipBytes: number }[];
}

/**
 * The client's ESM entry as an app's bundler splits it (esbuild, minified, axios left out: an app
 * brings its own): what `import` loads, measured as one file, and apart from it each chunk the
 * client loads with `import()` on first use.
 */
export async function measureBundle(): Promise<BundleSize> {
  const result = await build({
    entryPoints: [clientEntry],
    bundle: true,
    splitting: true,
    outdir: 'bundle',
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['axios'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const { outputs } = result.metafile;
  const code = (path: string) => result.outputFiles.find((file) => file.path.endsWith(`/${path}`))?.contents;
  const loaded = new Set<string>();
  const visit = (path: string) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const { path: imported, kind } of outputs[path]?.imports ?? [])
      if (kind === 'import-statement') visit(imported);
  };
  // The client's own entry: esbuild makes every `import()` target an entry point of its own too.
  const entryPoint = relative(process.cwd(), clientEntry);
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint === entryPoint);
  if (!entry) throw new Error('esbuild wrote no entry');
  visit(entry);
  const entryCode = Buffer.concat([...loaded].map((path) => code(path) ?? new Uint8Array()));
  const lazyChunks = Object.keys(outputs)
    .filter((path) => !loaded.has(path))
    .map((path) => ({
      name: path.replace(/^bundle\//, ''),
      gzipBytes: gzipSync(code(path) ?? '', { level: 9 }).byteLength,
    }));
  return { minifiedBytes: entryCode.byteLength, gzipBytes: gzipSync(entryCode, { level: 9 }).byteLength, lazyChunks };
}

/** What a fresh Node process imports, and what it imported before the timer started. */
export const IMPORT_PROBES = {
  /** What an application pays: the client and, through it, axios. */
  client: { imports: '@usagebudget/client', preload: undefined, firstCall: false },
  /** axios alone, resolved as the client resolves it. */
  axios: { imports: 'axios', preload: undefined, firstCall: false },
  /** The client's own modules: axios is already loaded when the timer starts. */
  'client, axios preloaded': { imports: '@usagebudget/client', preload: 'axios', firstCall: false },
  /** The import and a first GET: what deferring a module to the first call cannot hide. */
  'client + first GET': { imports: '@usagebudget/client', preload: undefined, firstCall: true },
} as const;
export type ImportProbe = keyof typeof IMPORT_PROBES;

/**
 * Milliseconds one fresh `node` takes to `await import()` the probe's module (and make the first
 * call, for that probe), timed inside the process: Node's own start-up is the same for every probe
 * and not the client's to spend. It runs in the client's folder, so `axios` and
 * `@usagebudget/client` resolve as they do for the client.
 */
async function timeImport(probe: ImportProbe, origin: string): Promise<number> {
  const { imports, preload, firstCall } = IMPORT_PROBES[probe];
  const call = `new UsageBudgetClient(${JSON.stringify({ baseURL: origin, credential: token })}).getBudget(${JSON.stringify(customerId)})`;
  const script = [
    preload ? `await import(${JSON.stringify(preload)});` : '',
    'const started = performance.now();',
    `${firstCall ? 'const { UsageBudgetClient } = ' : ''}await import(${JSON.stringify(imports)});`,
    firstCall ? `await ${call};` : '',
    'process.stdout.write(String(performance.now() - started));',
  ].join('\n');
  const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], {
    cwd: clientDir,
    timeout: 30_000,
  });
  const ms = Number(stdout);
  if (!Number.isFinite(ms)) throw new Error(`import probe ${probe} printed ${JSON.stringify(stdout)}`);
  return ms;
}

/** `runs` fresh processes per probe, interleaved; milliseconds per run. `origin` answers the first GET. */
export async function measureImports(runs: number, origin: string): Promise<Record<ImportProbe, number[]>> {
  const probes = Object.keys(IMPORT_PROBES) as ImportProbe[];
  const times = Object.fromEntries(probes.map((probe) => [probe, [] as number[]])) as Record<ImportProbe, number[]>;
  for (let index = 0; index < runs; index++) {
    for (const probe of probes) times[probe].push(await timeImport(probe, origin));
  }
  return times;
}
