// `pnpm version-packages` run for real, but in a temporary copy of what it reads and writes
// (package.json files, changelogs, changesets, the gated spec and API reports), so its output can
// be inspected while the working tree stays as it is.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { writeChangeset } from './changesets.mjs';
import { loadWorkspace } from './workspace.mjs';

/**
 * @typedef {object} DryRunChangeset
 * @property {string} id the file name, without `.md`
 * @property {Record<string, import('./changesets.mjs').Bump>} releases
 * @property {string} summary
 */

/**
 * Runs `script` with sh to its end, without blocking the event loop (a test runner's worker must
 * keep answering its runner while changesets and api-extractor work).
 * @param {string} script
 * @param {import('node:child_process').SpawnOptions} options
 * @returns {Promise<{ status: number | null, output: string }>}
 */
function runScript(script, options) {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, output }));
  });
}

/**
 * @param {string} rootDir the real workspace
 * @param {{ changesets?: DryRunChangeset[] }} [options] changesets to add to the copy first
 */
export async function dryRunVersionPackages(rootDir, { changesets = [] } = {}) {
  const workspace = loadWorkspace(rootDir);
  const dir = mkdtempSync(join(tmpdir(), 'version-packages-'));
  const copy = (/** @type {string} */ path) => {
    if (existsSync(path)) cpSync(path, join(dir, relative(workspace.rootDir, path)), { recursive: true });
  };
  try {
    for (const name of ['package.json', 'pnpm-workspace.yaml', '.changeset']) copy(join(workspace.rootDir, name));
    for (const pkg of workspace.packages) {
      mkdirSync(join(dir, relative(workspace.rootDir, pkg.dir)), { recursive: true });
      copy(join(pkg.dir, 'package.json'));
      copy(join(pkg.dir, 'CHANGELOG.md'));
      if (pkg.gates.spec) {
        copy(join(pkg.dir, pkg.gates.spec.source));
        copy(join(pkg.dir, pkg.gates.spec.released));
      }
      if (pkg.gates.apiReport) copy(join(pkg.dir, pkg.gates.apiReport.folder));
    }
    for (const { id, releases, summary } of changesets) writeChangeset(dir, id, releases, summary);
    // The tools come from the real installation; only the files above are the copy's own.
    symlinkSync(join(workspace.rootDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const script = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts?.['version-packages'];
    if (typeof script !== 'string') throw new Error(`${rootDir}/package.json has no version-packages script`);
    const { status, output } = await runScript(script, {
      cwd: dir,
      env: { ...process.env, PATH: [join(dir, 'node_modules', '.bin'), process.env.PATH].join(delimiter) },
    });
    if (status !== 0) throw new Error(`version-packages failed in ${dir} (${status}):\n${output}`);
    return {
      dir,
      output,
      before: workspace,
      after: loadWorkspace(dir),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
