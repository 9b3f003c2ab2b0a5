// Runs the generator openapitools.json names `client` (through the repository's one way of running
// openapi-generator, scripts/openapi-generator.mjs) and keeps the TypeScript it writes in
// src/generated/. With --check it writes nothing and fails when the committed folder differs from
// a fresh generation (the `drift` task).
//
// Every run writes to a scratch folder, and only the .ts files are copied back (not git_push.sh,
// .gitignore, .npmignore nor .openapi-generator/). Beside them goes requests.ts, the request
// table the facade sends from (scripts/request-table.mjs), from the same bundled spec.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  generateArguments,
  generatorConfig,
  generatorConfigPath,
  repositoryRoot,
  runGenerator,
} from '../../../scripts/openapi-generator.mjs';
import { requestTable, tokenKindsTable } from './request-table.mjs';

const GENERATOR_KEY = 'client';
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const committedDir = join(packageDir, 'src', 'generated');
const check = process.argv.includes('--check');
const regenerate = 'pnpm --filter @usagebudget/client generate';

const generator = generatorConfig().generators[GENERATOR_KEY];
if (!generator) throw new Error(`${generatorConfigPath} has no generator named "${GENERATOR_KEY}"`);

/** Every file below `dir` whose name ends in .ts, as a map from its path relative to `dir` to its text. */
function readTree(dir) {
  const files = new Map();
  const walk = (current) => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch (error) {
      if (error.code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

async function generate() {
  const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-generate-'));
  try {
    // openapitools.json writes paths from the repository's root as `#{cwd}/...`.
    const inputSpec = String(generator.inputSpec).replace('#{cwd}', repositoryRoot);
    await runGenerator(generateArguments({ ...generator, inputSpec, output: scratch }));
    const files = readTree(scratch);
    if (files.size === 0) throw new Error(`openapi-generator wrote no TypeScript into ${scratch}`);
    const bundled = JSON.parse(readFileSync(inputSpec.replace(/\.yaml$/, '.json'), 'utf8'));
    files.set('requests.ts', requestTable(bundled, regenerate));
    files.set('token-kinds.ts', tokenKindsTable(bundled, regenerate));
    return files;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const fresh = await generate();
if (check) {
  const committed = readTree(committedDir);
  const paths = new Set([...fresh.keys(), ...committed.keys()]);
  const differing = [...paths].filter((path) => fresh.get(path) !== committed.get(path)).sort();
  if (differing.length > 0) {
    console.error(
      `src/generated/ is out of date with the spec or openapitools.json (${differing.join(', ')}).\n` +
        `Run: ${regenerate}\nthen commit packages/client/src/generated/.`,
    );
    process.exit(1);
  }
  console.log(`src/generated/ matches a fresh generation (${fresh.size} files)`);
} else {
  rmSync(committedDir, { recursive: true, force: true });
  for (const [path, text] of fresh) {
    mkdirSync(dirname(join(committedDir, path)), { recursive: true });
    writeFileSync(join(committedDir, path), text);
  }
  console.log(`generated ${fresh.size} files into ${relative(repositoryRoot, committedDir)}`);
}
