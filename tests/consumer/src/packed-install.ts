import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listenOnLoopback, runToEnd } from '@usagebudget/server/testing';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A workspace package's folder, from its name (`@usagebudget/mock`). */
function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

async function run(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const done = await runToEnd(command, args, { cwd, ...(env ? { env } : {}), timeoutMs: 300_000 });
  if (done.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited ${done.code ?? done.signal}:\n${done.stderr}${done.stdout}`,
    );
  }
  return done.stdout;
}

/**
 * Serves better-sqlite3's prebuilt binary as its install script downloads it (from GitHub releases,
 * which this machine cannot reach): the binary pnpm built for the workspace, same version. Without
 * it, npm would compile SQLite from source for a minute and a half.
 */
async function prebuiltSqliteMirror(scratch: string) {
  const sqliteDir = dirname(
    createRequire(require.resolve('@usagebudget/server/package.json')).resolve('better-sqlite3/package.json'),
  );
  const { version } = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const tarball = join(scratch, name);
  await run('tar', ['-czf', tarball, '-C', sqliteDir, 'build/Release/better_sqlite3.node'], scratch);
  const body = readFileSync(tarball);
  const server = await listenOnLoopback(
    createServer((req, res) => {
      if (basename(req.url ?? '') === name) res.writeHead(200, { 'Content-Length': body.length }).end(body);
      else res.writeHead(404).end();
    }),
  );
  return { env: { npm_config_better_sqlite3_binary_host: server.url }, close: () => server.close() };
}

/**
 * Packs each workspace package with `pnpm pack` (which turns `workspace:*` into versions) into
 * `<project>/tarballs`, and installs them all with npm into `project`, a folder outside the
 * workspace, as a team that got them from the registry would. Nothing is published, so every
 * package of ours that another depends on must be in `names`; the rest comes from the npm
 * registry (or npm's cache). Returns the tarballs' paths.
 */
export async function packAndInstall(
  names: readonly string[],
  project: string,
  extra: readonly string[] = [],
): Promise<string[]> {
  const tarballs = join(project, 'tarballs');
  mkdirSync(tarballs, { recursive: true });
  for (const name of names) await run('pnpm', ['pack', '--pack-destination', tarballs], packageDir(name));
  const packed = readdirSync(tarballs)
    .filter((file) => file.endsWith('.tgz'))
    .map((file) => join(tarballs, file));
  if (packed.length !== names.length)
    throw new Error(`pnpm pack wrote ${packed.length} tarballs for ${names.length} packages`);
  const mirror = await prebuiltSqliteMirror(tarballs);
  try {
    await run(
      'npm',
      ['install', ...packed, ...extra, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
      project,
      { ...process.env, ...mirror.env },
    );
  } finally {
    await mirror.close();
  }
  return packed;
}

/**
 * Type-checks `files` of an installed `project` as another team's code would be: TS strict,
 * `nodenext` (so `.mts` is ESM and `.cts` CommonJS), declarations included (`skipLibCheck: false`),
 * with the ambient `types` given. What `tsc` printed: empty when it found nothing.
 */
export async function typeCheckStrict(project: string, files: readonly string[], types: readonly string[]) {
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types,
        skipLibCheck: false,
      },
      files,
    }),
  );
  const done = await runToEnd(process.execPath, [tsc, '-p', project], { timeoutMs: 120_000 });
  return `${done.stdout}${done.code === 0 ? '' : `(tsc exited ${done.code})`}`;
}

/** The repository's root README. */
export function rootReadme(): string {
  return readFileSync(join(workspaceRoot, 'README.md'), 'utf8');
}

/** The text of the README section under `## title`, up to the next `## `. */
export function readmeSection(readme: string, title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`the README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** The fenced code blocks of a Markdown text in a language (`yaml`, `ts`), in order. */
export function codeBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(
    (found) => found[1] as string,
  );
}

export { workspaceRoot };
