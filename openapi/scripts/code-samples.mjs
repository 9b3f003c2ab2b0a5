// The docs' code samples: every operation shows how to call it with the TypeScript SDK, the CLI
// and curl, in Redoc's right-hand panel (`x-codeSamples`). The samples are files of the private
// workspace tests/samples, which type-checks them and runs them against the reference server: they
// need the client and the CLI, which depend on this package, so they cannot live here. The build
// reads them by path (declared as inputs of the build in turbo.json) and adds them to the copy of
// the spec the docs page inlines, like the changelog: the source YAML and the bundle, which the
// client generator, the server and the gates read, stay free of them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageDir } from './paths.mjs';

/** Where the samples are: one folder per operationId. */
export const samplesDir = join(packageDir, '..', 'tests', 'samples', 'operations');

/** The samples every operation shows, in the order of the panel's tabs. */
export const SAMPLE_FILES = Object.freeze([
  { file: 'sdk.ts', lang: 'TypeScript', label: 'TypeScript SDK' },
  { file: 'cli.sh', lang: 'Shell', label: 'CLI' },
  { file: 'curl.sh', lang: 'Shell', label: 'curl' },
]);

/**
 * Each operation's samples, read from `<dir>/<operationId>/`. Throws naming every operation that
 * lacks one of them (or has an empty one) and every folder that names no operation.
 * @param {readonly string[]} operationIds the spec's, from `@usagebudget/openapi/operations`
 * @param {string} [dir]
 * @returns {Map<string, { lang: string; label: string; source: string }[]>}
 */
export function readCodeSamples(operationIds, dir = samplesDir) {
  const samples = new Map();
  const problems = [];
  for (const operationId of operationIds) {
    const missing = [];
    const found = [];
    for (const { file, lang, label } of SAMPLE_FILES) {
      const path = join(dir, operationId, file);
      const source = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
      if (source === '') missing.push(file);
      else found.push({ lang, label, source });
    }
    if (missing.length > 0) problems.push(`${operationId}: no ${missing.join(', ')} (or empty)`);
    samples.set(operationId, found);
  }
  const known = new Set(operationIds);
  const folders = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory())
    : [];
  for (const { name } of folders) {
    if (!known.has(name)) problems.push(`${name}/: the spec has no operation with this operationId`);
  }
  if (problems.length > 0) {
    const where = relative(join(packageDir, '..'), dir);
    throw new Error(
      `docs: every operation shows ${SAMPLE_FILES.map(({ label }) => label).join(', ')} samples, ` +
        `from ${where}/<operationId>/{${SAMPLE_FILES.map(({ file }) => file).join(',')}}:\n` +
        problems.map((problem) => `  - ${problem}`).join('\n') +
        '\nAdd them as tests/samples/README.md says ("Samples for a new operation").',
    );
  }
  return samples;
}

/**
 * A copy of the spec with each operation's samples as its `x-codeSamples`.
 * @template {{ paths: object }} Spec
 * @param {Spec} spec
 * @param {readonly { method: string; path: string; operationId: string }[]} operations
 * @param {Map<string, { lang: string; label: string; source: string }[]>} samples
 * @returns {Spec}
 */
export function withCodeSamples(spec, operations, samples) {
  const copy = structuredClone(spec);
  for (const { method, path, operationId } of operations) {
    const pathItem = /** @type {Record<string, Record<string, unknown>>} */ (copy.paths)[path];
    const operation = /** @type {Record<string, unknown>} */ (pathItem?.[method]);
    operation['x-codeSamples'] = samples.get(operationId) ?? [];
  }
  return copy;
}
