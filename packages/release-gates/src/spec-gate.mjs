// The spec's breaking-change gate: the working spec against the spec as last released, classified
// by `redocly diff` (why that tool: openapi/README.md). A breaking change passes only with a new
// major `info.version` and a major changeset for every package it breaks.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describeMissingBumps, missingBumps, pendingBumps } from './changesets.mjs';

const require = createRequire(import.meta.url);
const redoclyCli = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');

/**
 * @typedef {object} BreakingChange
 * @property {string} ruleId
 * @property {string} message
 * @property {string} where file:line of the change, in the released spec for a removal
 */

/** @param {string} version */
function semverParts(version) {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) throw new Error(`"${version}" is not a semantic version`);
  return match.slice(1, 4).map(Number);
}

/** @param {string} a @param {string} b */
function compareVersions(a, b) {
  const [pa, pb] = [semverParts(a), semverParts(b)];
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return /** @type {number} */ (pa[i]) - /** @type {number} */ (pb[i]);
  return 0;
}

/** @param {string} file */
export function specVersion(file) {
  const version = parse(readFileSync(file, 'utf8'))?.info?.version;
  if (typeof version !== 'string') throw new Error(`${file} has no info.version`);
  return version;
}

/**
 * The released spec with the highest `info.version`: the baseline every change is measured from.
 * @param {string} releasedDir
 */
export function latestReleasedSpec(releasedDir) {
  const versions = readdirSync(releasedDir)
    .filter((name) => /^\d+\.\d+\.\d+.*\.yaml$/.test(name))
    .map((name) => basename(name, '.yaml'))
    .sort(compareVersions);
  const version = versions.at(-1);
  if (version === undefined)
    throw new Error(`${releasedDir} holds no released spec (<version>.yaml): the release step writes one`);
  return { version, file: join(releasedDir, `${version}.yaml`) };
}

// A vendor combinator (`x-anyOf`, `x-oneOf`, `x-allOf`) is the keyword it names, kept out of code
// generators' sight (openapi/README.md): a YAML key, at the start of a line or of a list item.
const VENDOR_COMBINATOR = /^(\s*(?:-\s+)?)x-(anyOf|oneOf|allOf):/gm;

/**
 * A spec's YAML text with its vendor combinators spelled as the keywords they stand for, so that
 * the diff judges what the spec means: moving a union into `x-oneOf` is no change, changing one
 * is. Line for line, so the diff's locations stay those of the file.
 * @param {string} yamlText
 */
export function withVendorCombinatorsSpelledOut(yamlText) {
  return yamlText.replace(VENDOR_COMBINATOR, '$1$2:');
}

/**
 * Runs `redocly diff` and returns its breaking (major) verdicts and the count of each impact.
 * @param {string} baseFile
 * @param {string} revisionFile
 * @param {string} [cwd] what relative file names are relative to
 */
export async function diffSpecs(baseFile, revisionFile, cwd) {
  const args = [
    redoclyCli,
    'diff',
    baseFile,
    revisionFile,
    '--format',
    'json',
    '--fail-on',
    'none',
    '--lint-config',
    'off',
  ];
  const { stdout } = await promisify(execFile)(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // No telemetry and no update check: the gate runs offline.
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  }).catch((/** @type {any} */ error) => {
    throw new Error(
      `redocly diff ${baseFile} ${revisionFile} failed (${error.code}):\n${error.stderr ?? error.message}`,
    );
  });
  /** @type {{ summary: { major: number; minor: number; patch: number }; changes: any[] }} */
  const report = JSON.parse(stdout);
  /** @type {BreakingChange[]} */
  const breaking = [];
  for (const change of report.changes) {
    if (change.impact !== 'major') continue;
    const verdicts = change.verdicts.filter((/** @type {any} */ v) => v.impact === 'major');
    for (const verdict of verdicts.length > 0 ? verdicts : [{ ruleId: change.kind, message: change.path }]) {
      const at = verdict.location ?? change.revision ?? change.base;
      breaking.push({
        ruleId: verdict.ruleId,
        message: verdict.message,
        where: at ? `${at.file}:${at.line}` : change.path,
      });
    }
  }
  return { breaking, summary: report.summary };
}

/**
 * `diffSpecs` of what two spec files mean, run in `cwd` on the names `shown` gives them. When either
 * has vendor combinators, of copies that spell them out, in a scratch folder under the same names
 * (so the report reads the same); the copies resolve no external `$ref`, so such a spec must be one
 * file.
 * @param {string} baseFile
 * @param {string} revisionFile
 * @param {(file: string) => string} shown
 * @param {string} cwd
 */
async function diffMeanings(baseFile, revisionFile, shown, cwd) {
  const files = [baseFile, revisionFile];
  const texts = files.map((file) => readFileSync(file, 'utf8'));
  const names = files.map(shown);
  const hasVendorCombinators = (/** @type {string} */ text) => new RegExp(VENDOR_COMBINATOR.source, 'm').test(text);
  if (!texts.some(hasVendorCombinators)) return diffSpecs(names[0] ?? baseFile, names[1] ?? revisionFile, cwd);
  const scratch = mkdtempSync(join(tmpdir(), 'spec-gate-'));
  try {
    const copies = names.map((name, index) => {
      const copy = isAbsolute(name) ? `${index}-${basename(name)}` : name;
      mkdirSync(dirname(join(scratch, copy)), { recursive: true });
      writeFileSync(join(scratch, copy), withVendorCombinatorsSpelledOut(texts[index] ?? ''));
      return copy;
    });
    return await diffSpecs(copies[0] ?? baseFile, copies[1] ?? revisionFile, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * @typedef {object} SpecGateOptions
 * @property {string} packageDir the spec's package
 * @property {import('./workspace.mjs').SpecGateConfig} config
 * @property {string} changesetRoot the folder holding `.changeset/`
 */

/**
 * @param {SpecGateOptions} options
 * @returns {Promise<{ ok: boolean; breaking: BreakingChange[]; lines: string[] }>}
 */
export async function checkSpec({ packageDir, config, changesetRoot }) {
  const spec = join(packageDir, config.source);
  const released = latestReleasedSpec(join(packageDir, config.released));
  // Relative paths keep the report short and its file:line locations clickable from the package.
  const shown = (/** @type {string} */ file) => {
    const path = relative(packageDir, file);
    return path.startsWith('..') ? file : path;
  };
  const { breaking, summary } = await diffMeanings(released.file, spec, shown, packageDir);
  const against = `the released spec ${shown(released.file)}`;
  const counts = `${summary.major} breaking, ${summary.minor} additive, ${summary.patch} other`;
  if (breaking.length === 0) {
    return { ok: true, breaking, lines: [`spec: no breaking change since ${against} (${counts}).`] };
  }

  const version = specVersion(spec);
  const nextMajor = `${(semverParts(released.version)[0] ?? 0) + 1}.0.0`;
  const versionOk = compareVersions(version, nextMajor) >= 0;
  const required = new Map(config.majorBumpFor.map((name) => [name, /** @type {const} */ ('major')]));
  const missing = missingBumps(required, await pendingBumps(changesetRoot));
  const listed = breaking.map(({ message, ruleId, where }) => `  - ${message} (${ruleId}, ${where})`);
  if (versionOk && missing.length === 0) {
    return {
      ok: true,
      breaking,
      lines: [
        `spec: ${breaking.length} breaking change(s) since ${against}, released as a new major:`,
        ...listed,
        `  info.version is ${version} and changesets declare a major bump for ${config.majorBumpFor.join(', ')}.`,
      ],
    };
  }
  return {
    ok: false,
    breaking,
    lines: [
      `spec: ${shown(spec)} has ${breaking.length} breaking change(s) since ${against}:`,
      ...listed,
      'Clients built against the released spec would break. Undo these changes, or make them additive',
      '(add a new operation, parameter, property or status beside the old one, optional for callers), or release them as a new major:',
      ...(versionOk ? [] : [`  - set info.version in ${shown(spec)} to ${nextMajor} (it is ${version})`]),
      ...(missing.length === 0 ? [] : describeMissingBumps(missing)),
    ],
  };
}
