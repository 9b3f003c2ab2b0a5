// Runs openapi-generator through the root openapitools.json (generator key `client`) and keeps the
// TypeScript it writes in src/generated/. With --check it writes nothing and fails when the
// committed folder differs from a fresh generation (the `drift` task).
//
// The wrapper resolves `#{cwd}` and its storageDir against its working directory, and a
// --generator-key run ignores `-o`. So every run happens in a scratch directory that links the
// spec folder and the JAR folder of the repository: the output lands there, and only the .ts
// files are copied back (not git_push.sh, .gitignore, .npmignore nor .openapi-generator/).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const GENERATOR_KEY = 'client';
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(packageDir, '..', '..');
const committedDir = join(packageDir, 'src', 'generated');
const check = process.argv.includes('--check');
const regenerate = 'pnpm --filter @usagebudget/client generate';

const configPath = join(root, 'openapitools.json');
const config = JSON.parse(readFileSync(configPath, 'utf8'))['generator-cli'];
const generator = config.generators[GENERATOR_KEY];
if (!generator) throw new Error(`${configPath} has no generator named "${GENERATOR_KEY}"`);

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

function generate() {
  const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-generate-'));
  try {
    const specDir = generator.inputSpec.replace('#{cwd}/', '').split('/')[0];
    symlinkSync(join(root, specDir), join(scratch, specDir));
    symlinkSync(join(root, config.storageDir), join(scratch, config.storageDir));
    const rootRequire = createRequire(join(root, 'package.json'));
    const wrapper = join(dirname(rootRequire.resolve('@openapitools/openapi-generator-cli/package.json')), 'main.js');
    const run = spawnSync(
      process.execPath,
      [wrapper, 'generate', '--generator-key', GENERATOR_KEY, '--openapitools', configPath],
      { cwd: scratch, env: { ...process.env, PWD: scratch }, encoding: 'utf8' },
    );
    const outputDir = generator.output.replace('#{cwd}', scratch);
    const files = readTree(outputDir);
    if (run.status !== 0 || files.size === 0) {
      throw new Error(`openapi-generator failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    }
    return files;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const fresh = generate();
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
  console.log(`generated ${fresh.size} files into ${relative(root, committedDir)}`);
}
