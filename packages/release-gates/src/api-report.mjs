// A published package's public API as API Extractor reports it: one `<name>.api.md` per entry of
// its `exports` that has types, committed in the package's report folder. `checkApiReports` fails
// when a committed report is stale, and when the reports differ from the released copies
// (`<folder>/released/`) without a changeset of the kind the difference needs.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describeMissingBumps, higherBump, missingBumps, pendingBumps } from './changesets.mjs';

/**
 * @typedef {import('./workspace.mjs').WorkspacePackage} WorkspacePackage
 * @typedef {import('./changesets.mjs').Bump} Bump
 * @typedef {{ subpath: string; types: string; reportName: string }} ReportEntry
 * @typedef {{ name: string; change: 'added' | 'removed' | 'changed'; bump: Bump; report: string }} ApiChange
 */

export const REPORT_SUFFIX = '.api.md';

/** The command that rewrites a package's reports, named by every failure. */
export function updateCommand(/** @type {WorkspacePackage} */ pkg) {
  return `pnpm --filter ${pkg.name} api-report`;
}

/**
 * The `.d.ts` an export condition resolves to, preferring the ESM types.
 * @param {unknown} target
 * @returns {string | undefined}
 */
function typesOf(target) {
  if (typeof target === 'string') return /\.d\.[cm]?ts$/.test(target) ? target : undefined;
  if (target === null || typeof target !== 'object') return undefined;
  const conditions = /** @type {Record<string, unknown>} */ (target);
  if (typeof conditions.types === 'string') return conditions.types;
  for (const key of ['import', 'default', 'node', 'require']) {
    const types = typesOf(conditions[key]);
    if (types) return types;
  }
  return undefined;
}

/**
 * Every public entry of the package that has types: `.` reports as `<unscoped name>`, `./x` as
 * `<unscoped name>-x`. Derived from `exports`, so a new entry is reported without configuration.
 * @param {WorkspacePackage} pkg
 * @returns {ReportEntry[]}
 */
export function reportEntries(pkg) {
  const unscoped = pkg.name.replace(/^@[^/]+\//, '');
  const exportsField = pkg.packageJson.exports ?? { '.': { types: pkg.packageJson.types ?? pkg.packageJson.typings } };
  /** @type {ReportEntry[]} */
  const entries = [];
  for (const [subpath, target] of Object.entries(/** @type {Record<string, unknown>} */ (exportsField))) {
    const types = typesOf(target);
    if (types === undefined || subpath.includes('*')) continue;
    const suffix = subpath === '.' ? '' : `-${subpath.replace(/^\.\//, '').replace(/[^A-Za-z0-9]+/g, '-')}`;
    entries.push({ subpath, types: join(pkg.dir, types), reportName: `${unscoped}${suffix}` });
  }
  if (entries.length === 0) throw new Error(`${pkg.name}: no entry of package.json "exports" has types to report`);
  return entries;
}

/**
 * Runs API Extractor on one entry and returns the report it writes into `outDir`.
 * @param {WorkspacePackage} pkg
 * @param {ReportEntry} entry
 * @param {string} outDir
 */
function extractReport(pkg, entry, outDir) {
  // Loaded on first use: API Extractor brings the TypeScript compiler, which commands that write
  // or compare no report (`released`, `spec-breaking`) should not wait for.
  /** @type {typeof import('@microsoft/api-extractor')} */
  const { Extractor, ExtractorConfig, ExtractorLogLevel } = createRequire(import.meta.url)('@microsoft/api-extractor');
  const none = { logLevel: ExtractorLogLevel.None };
  if (!existsSync(entry.types)) {
    throw new Error(
      `${relative(pkg.dir, entry.types)} is missing: build ${pkg.name} first (${updateCommand(pkg)} does)`,
    );
  }
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: pkg.dir,
      mainEntryPointFilePath: entry.types,
      newlineKind: 'lf',
      // The published declarations are analysed on their own; nothing from the package's tsconfig
      // (sources, tests) is needed, and API Extractor's bundled TypeScript need not accept it.
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            lib: ['ES2022', 'DOM'],
            types: [],
            module: 'ESNext',
            moduleResolution: 'Bundler',
            strict: true,
            skipLibCheck: true,
          },
          files: [entry.types],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: entry.reportName,
        reportFolder: outDir,
        reportTempFolder: join(outDir, 'temp'),
        // Types an entry uses without exporting them are part of its API all the same.
        includeForgottenExports: true,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
        extractorMessageReporting: {
          default: { logLevel: ExtractorLogLevel.Warning },
          // The report is for reviewing the API's shape; documentation and release tags are not gated.
          'ae-missing-release-tag': none,
          'ae-undocumented': none,
          'ae-forgotten-export': none,
        },
        tsdocMessageReporting: { default: none },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(pkg.dir, 'package.json'),
  });
  /** @type {string[]} */
  const problems = [];
  const result = Extractor.invoke(config, {
    localBuild: true,
    messageCallback: (message) => {
      // Report-file bookkeeping ("file was missing", "copy it") is this module's job, not the tool's.
      if (
        message.logLevel === ExtractorLogLevel.Error ||
        (message.logLevel === ExtractorLogLevel.Warning && message.category !== 'console')
      ) {
        problems.push(message.formatMessageWithLocation(pkg.dir));
      }
      message.handled = true;
    },
  });
  if (!result.succeeded || problems.length > 0) {
    throw new Error(`API Extractor failed on ${relative(pkg.dir, entry.types)}:\n  ${problems.join('\n  ')}`);
  }
  return readFileSync(join(outDir, `${entry.reportName}${REPORT_SUFFIX}`), 'utf8');
}

/**
 * Writes the package's current reports into a fresh temporary folder.
 * @param {WorkspacePackage} pkg
 */
function freshReports(pkg) {
  const outDir = mkdtempSync(join(tmpdir(), 'api-report-'));
  try {
    return new Map(
      reportEntries(pkg).map((entry) => [`${entry.reportName}${REPORT_SUFFIX}`, extractReport(pkg, entry, outDir)]),
    );
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** @param {string} dir @returns {Map<string, string>} */
function reportsIn(dir) {
  if (!existsSync(dir)) return new Map();
  return new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith(REPORT_SUFFIX))
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

/**
 * Rewrites the committed reports from the built declarations (and removes reports of entries
 * that are gone).
 * @param {WorkspacePackage} pkg
 */
export function writeApiReports(pkg) {
  if (!pkg.gates.apiReport) throw new Error(`${pkg.name} has no releaseGates.apiReport in its package.json`);
  const folder = join(pkg.dir, pkg.gates.apiReport.folder);
  const fresh = freshReports(pkg);
  mkdirSync(folder, { recursive: true });
  /** @type {string[]} */
  const lines = [];
  for (const [name, text] of fresh) {
    const path = join(folder, name);
    const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (before === text) continue;
    writeFileSync(path, text);
    lines.push(`${before === undefined ? 'wrote' : 'updated'} ${relative(pkg.dir, path)}`);
  }
  for (const name of reportsIn(folder).keys()) {
    if (fresh.has(name)) continue;
    rmSync(join(folder, name));
    lines.push(`removed ${relative(pkg.dir, join(folder, name))} (no such entry any more)`);
  }
  return lines.length > 0 ? lines : [`${pkg.name}: API reports are up to date`];
}

/**
 * The report's declarations by exported name. API Extractor separates top-level declarations with
 * a blank line and sorts them; comment lines it writes for the reviewer are not API.
 * @param {string} text
 * @returns {Map<string, { kind: string; lines: string[] }>}
 */
export function parseReport(text) {
  const report = text.replace(/\r\n/g, '\n');
  const start = report.indexOf('```ts\n');
  const end = report.lastIndexOf('\n```');
  if (start < 0 || end <= start) throw new Error('not an API Extractor report: no ```ts block');
  /** @type {string[][]} */
  const chunks = [[]];
  let depth = 0;
  for (const line of report.slice(start + 6, end).split('\n')) {
    if (line.trim() === '' && depth === 0) {
      chunks.push([]);
      continue;
    }
    /** @type {string[]} */ (chunks.at(-1)).push(line);
    for (const char of line) depth += char === '{' ? 1 : char === '}' ? -1 : 0;
  }
  /** @type {Map<string, { kind: string; lines: string[] }>} */
  const declarations = new Map();
  for (const chunk of chunks) {
    const lines = chunk.filter((line) => !/^\s*\/\/ (\(undocumented\)|Warning:|\(No @packageDocumentation)/.test(line));
    const head = lines.find((line) => !line.startsWith('//'));
    if (head === undefined || head.startsWith('import ')) continue;
    const match =
      /^(?:export )?(?:declare )?(?:default )?(?:abstract )?(class|interface|type|const|let|var|function|enum|namespace) ([\w$]+)/.exec(
        head,
      );
    const [kind, name] = match ? [match[1] ?? '', match[2] ?? head] : ['other', head];
    const known = declarations.get(name);
    // Overloads of a function are several declarations of one name.
    if (known) known.lines.push(...lines);
    else declarations.set(name, { kind, lines });
  }
  return declarations;
}

/**
 * Whether `after` only adds to `before` what no caller can notice: optional members of an
 * interface, members of a class. Every line of `before` must still be there, in order.
 * @param {string} kind
 * @param {string[]} before
 * @param {string[]} after
 */
function onlyAddsMembers(kind, before, after) {
  const additive =
    kind === 'class'
      ? (/** @type {string} */ line) => /^\s{4}/.test(line)
      : kind === 'interface'
        ? (/** @type {string} */ line) => /^\s{4,}(readonly\s+)?[\w$'"]+\?[:(]/.test(line)
        : () => false;
  let kept = 0;
  for (const line of after) {
    if (kept < before.length && line === before[kept]) kept++;
    else if (!additive(line)) return false;
  }
  return kept === before.length;
}

/**
 * The exports added, removed or changed between two reports of one entry, each with the bump it
 * needs: removed or changed → major, added (or only added optional members) → minor.
 * @param {string | undefined} released
 * @param {string | undefined} current
 * @param {string} report the report's file name, for messages
 * @returns {ApiChange[]}
 */
export function compareReports(released, current, report) {
  const before = released === undefined ? new Map() : parseReport(released);
  const after = current === undefined ? new Map() : parseReport(current);
  /** @type {ApiChange[]} */
  const changes = [];
  for (const [name, old] of before) {
    const now = after.get(name);
    if (!now) changes.push({ name, change: 'removed', bump: 'major', report });
    else if (old.kind !== now.kind || old.lines.join('\n') !== now.lines.join('\n')) {
      const bump = old.kind === now.kind && onlyAddsMembers(now.kind, old.lines, now.lines) ? 'minor' : 'major';
      changes.push({ name, change: 'changed', bump, report });
    }
  }
  for (const name of after.keys())
    if (!before.has(name)) changes.push({ name, change: 'added', bump: 'minor', report });
  return changes;
}

/** @param {ApiChange} change */
const describeChange = ({ name, change, bump, report }) => `  - ${change} \`${name}\` (${report}): ${bump}`;

/**
 * @typedef {object} ApiCheckOptions
 * @property {WorkspacePackage} pkg
 * @property {string} changesetRoot the folder holding `.changeset/`
 */

/**
 * @param {ApiCheckOptions} options
 * @returns {Promise<{ ok: boolean; changes: ApiChange[]; lines: string[] }>}
 */
export async function checkApiReports({ pkg, changesetRoot }) {
  if (!pkg.gates.apiReport) throw new Error(`${pkg.name} has no releaseGates.apiReport in its package.json`);
  const folder = join(pkg.dir, pkg.gates.apiReport.folder);
  const releasedFolder = join(folder, 'released');
  const shown = (/** @type {string} */ path) => relative(pkg.dir, path);
  const fresh = freshReports(pkg);
  const committed = reportsIn(folder);
  /** @type {string[]} */
  const lines = [];
  let ok = true;

  const names = new Set([...fresh.keys(), ...committed.keys()]);
  const stale = [...names].flatMap((name) =>
    fresh.get(name) === committed.get(name) ? [] : compareReports(committed.get(name), fresh.get(name), name),
  );
  const staleFiles = [...names].filter((name) => fresh.get(name) !== committed.get(name));
  if (staleFiles.length > 0) {
    ok = false;
    lines.push(
      `api-report: the committed API report of ${pkg.name} is stale (${staleFiles.map((name) => shown(join(folder, name))).join(', ')}): the built declarations differ from it:`,
      ...(stale.length > 0
        ? stale.map(describeChange)
        : ['  - the report text differs (no export added, removed or changed)']),
      `Run \`${updateCommand(pkg)}\` and commit the updated report.`,
    );
  }

  const released = reportsIn(releasedFolder);
  const changes = [...new Set([...fresh.keys(), ...released.keys()])].flatMap((name) =>
    compareReports(released.get(name), fresh.get(name), name),
  );
  /** @type {Bump} */
  const needed = changes.reduce((/** @type {Bump} */ bump, change) => higherBump(bump, change.bump), 'none');
  if (needed === 'none') {
    lines.push(`api-report: the public API of ${pkg.name} is the released one (${shown(releasedFolder)}/).`);
    return { ok, changes, lines };
  }
  const missing = missingBumps(new Map([[pkg.name, needed]]), await pendingBumps(changesetRoot));
  lines.push(
    `api-report: the public API of ${pkg.name} differs from its last release (${shown(releasedFolder)}/):`,
    ...changes.map(describeChange),
  );
  if (missing.length > 0) {
    ok = false;
    lines.push(...describeMissingBumps(missing));
  } else {
    lines.push(`  A pending changeset declares a ${needed} (or higher) bump for ${pkg.name}.`);
  }
  return { ok, changes, lines };
}
