// The code blocks of the published packages' READMEs, as checks: every ```ts block is type-checked
// as a module of its own (written to readme-blocks/ by running this file, before tsc), and run
// against the reference server unless a marker says why it cannot run; every ```sh block is run
// unless a marker says why not. Markers are HTML comments right before the block (invisible on
// npm and GitHub):
//
//   <!-- sample: typecheck-only (why it cannot run) -->   a ts block that is type-checked only
//   <!-- sample: not run (why) -->                         an sh block that is not run
//   <!-- sample: setup                                     code the block needs and the reader
//   const client = ...;                                    does not (a client, a customer id),
//   -->                                                    put before it in its module or script
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryDir = join(workspaceDir, '..', '..');
/** Where the blocks are written as modules, one per block. */
export const readmeBlocksDir = join(workspaceDir, 'readme-blocks');

/** Our published packages this workspace depends on (not msw, which a mock block imports): their READMEs are checked. */
export function publishedReadmes() {
  const require = createRequire(join(workspaceDir, 'package.json'));
  const { dependencies } = JSON.parse(readFileSync(join(workspaceDir, 'package.json'), 'utf8'));
  const ours = Object.keys(dependencies).filter((name) => name.startsWith('@usagebudget/'));
  return ours.flatMap((name) => {
    const manifest = require.resolve(`${name}/package.json`);
    if (JSON.parse(readFileSync(manifest, 'utf8')).private) return [];
    return [{ packageName: name, readme: join(dirname(manifest), 'README.md') }];
  });
}

const TYPESCRIPT = new Set(['ts', 'typescript']);
const SHELL = new Set(['sh', 'bash', 'shell']);
const MARKER = /^<!-- sample: (typecheck-only|not run) \((.+)\) -->$/;

/**
 * @typedef {object} ReadmeBlock
 * @property {string} packageName
 * @property {string} readme the README's path from the repository root, e.g. `packages/client/README.md`
 * @property {number} line the line of the opening fence (1-based)
 * @property {'ts' | 'sh'} language
 * @property {string} source the module or script: the setup, then the block, each line at its README line
 * @property {string | undefined} notRunBecause the reason a marker gives, when the block is not run
 * @property {string} file where the module or script is, relative to this workspace (`.ts` under
 *   readme-blocks/; an `.sh` block is written by the test that runs it)
 */

/**
 * The checked blocks of one README. Throws on a marker it does not understand, a marker of the
 * wrong kind for its block, or a fence left open, naming the README and the line.
 * @param {string} text
 * @param {string} readme its path from the repository root, for names and messages
 * @param {string} packageName
 * @returns {ReadmeBlock[]}
 */
export function parseReadme(text, readme, packageName) {
  const lines = text.split('\n');
  /** @type {ReadmeBlock[]} */
  const blocks = [];
  /** @type {(index: number, message: string) => never} */
  const fail = (index, message) => {
    throw new Error(`${readme}:${index + 1}: ${message}`);
  };
  /** @type {Set<number>} the lines of the markers that belong to a block; any other marker is a mistake */
  const attached = new Set();
  for (let index = 0; index < lines.length; index++) {
    const fence = /^(\s*)(`{3,})(\S*)/.exec(lines[index] ?? '');
    if (!fence) continue;
    const [, indent = '', ticks = '', info = ''] = fence;
    const start = index;
    const end = lines.findIndex(
      (line, at) => at > start && line.startsWith(`${indent}${ticks}`) && !line.trim().slice(ticks.length),
    );
    if (end === -1) fail(start, 'a code block is never closed');
    index = end;
    /** @type {'ts' | 'sh' | undefined} */
    const language = TYPESCRIPT.has(info) ? 'ts' : SHELL.has(info) ? 'sh' : undefined;
    if (!language) continue;

    // The markers: the comments that end on the lines right above the fence.
    /** @type {Map<number, string>} */
    const kept = new Map();
    /** @type {string | undefined} */
    let notRunBecause;
    let above = start - 1;
    while (above >= 0 && lines[above]?.trim().endsWith('-->')) {
      let opening = above;
      while (opening >= 0 && !lines[opening]?.trimStart().startsWith('<!--')) opening--;
      if (opening < 0) fail(above, 'an HTML comment ends here but never starts');
      const comment = lines.slice(opening, above + 1).map((line) => line.trim());
      attached.add(opening);
      if (comment[0]?.startsWith('<!-- sample: setup')) {
        if (comment[0].trim() !== '<!-- sample: setup' || comment.at(-1) !== '-->') {
          fail(opening, 'write a setup as `<!-- sample: setup`, its code on the lines below, then `-->` alone');
        }
        for (let at = opening + 1; at < above; at++) kept.set(at, lines[at] ?? '');
      } else if (comment[0]?.startsWith('<!-- sample:')) {
        const marker = MARKER.exec(comment.join(' '));
        if (!marker) fail(opening, `unknown marker ${comment.join(' ')}: see tests/samples/README.md`);
        const [, kind, reason] = marker;
        if ((kind === 'typecheck-only') !== (language === 'ts')) {
          fail(opening, `\`${kind}\` does not apply to a ${language} block: use typecheck-only for ts, not run for sh`);
        }
        notRunBecause = reason;
      }
      above = opening - 1;
    }
    for (let at = start + 1; at < end; at++) kept.set(at, (lines[at] ?? '').slice(indent.length));

    // Every line at its README line, so a compiler's or a shell's line numbers are the README's.
    const last = Math.max(...kept.keys());
    const source = Array.from({ length: last + 1 }, (_, at) => kept.get(at) ?? '');
    const label = `${readme}, the ${language} block at line ${start + 1}; line numbers are the README's`;
    if (!kept.has(0)) source[0] = language === 'ts' ? `// ${label}` : `# ${label}`;
    blocks.push({
      packageName,
      readme,
      line: start + 1,
      language,
      // `export {}` makes a block without imports a module too: its own scope, top-level await.
      source: `${source.join('\n')}\n${language === 'ts' ? 'export {};\n' : ''}`,
      notRunBecause,
      file: `readme-blocks/${readme}.block-${start + 1}.${language}`,
    });
  }
  const stray = lines.findIndex((line, at) => line.trimStart().startsWith('<!-- sample:') && !attached.has(at));
  if (stray !== -1) fail(stray, 'this marker is not right above a ts or sh block (no blank line between them)');
  return blocks;
}

/** The checked blocks of every published package's README. */
export function readmeBlocks() {
  return publishedReadmes().flatMap(({ packageName, readme }) =>
    parseReadme(readFileSync(readme, 'utf8'), relative(repositoryDir, readme), packageName),
  );
}

/**
 * Writes each ts block as a module under readme-blocks/ and removes the modules of blocks that are
 * gone. turbo may run `build` and `typecheck` at once, both writing here: a module is replaced in
 * one rename and only when it changed, so neither tsc reads a file half written or removed.
 */
export function writeReadmeModules() {
  const modules = readmeBlocks().filter(({ language }) => language === 'ts');
  const current = new Set(modules.map(({ file }) => join(workspaceDir, file)));
  for (const { file, source } of modules) {
    const path = join(workspaceDir, file);
    if (existsSync(path) && readFileSync(path, 'utf8') === source) continue;
    mkdirSync(dirname(path), { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, source);
    renameSync(partial, path);
  }
  const written = existsSync(readmeBlocksDir)
    ? readdirSync(readmeBlocksDir, { recursive: true, withFileTypes: true })
    : [];
  for (const entry of written) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && path.endsWith('.ts') && !current.has(path)) rmSync(path, { force: true });
  }
  return modules;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const modules = writeReadmeModules();
  console.log(
    `readme-blocks: ${modules.length} ts blocks written to ${relative(process.cwd(), readmeBlocksDir) || '.'}/`,
  );
}
