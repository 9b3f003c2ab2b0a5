// The API report gate on a fixture package, with the real API Extractor: reports are written per
// entry, a stale report fails naming the command that updates it, and a difference from the
// released report needs a changeset of the right kind.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkApiReports, writeApiReports } from '../src/api-report.mjs';
import { writeReleased } from '../src/released.mjs';
import { loadWorkspace, readPackage } from '../src/workspace.mjs';
import { FIXTURE_PACKAGE, makeWorkspace } from './fixture.js';

const bin = join(import.meta.dirname, '..', 'bin', 'release-gates.mjs');

const INDEX = `/** Says hello. */
export declare function greet(name: string): string;
/** How a client behaves. */
export interface Options {
    name: string;
    retries?: number;
}
/** Reads things. */
export declare class Client {
    constructor(options: Options);
    get(id: string): Promise<string>;
}
`;
const EXTRA = '/** The version. */\nexport declare const VERSION: string;\n';

const fixture = makeWorkspace().setEntries({ index: INDEX, extra: EXTRA });
afterAll(() => fixture.remove());
const pkg = () => readPackage(fixture.packageDir);
const check = () => checkApiReports({ pkg: pkg(), changesetRoot: fixture.root });
const summary = (changes: { name: string; change: string; bump: string }[]) =>
  changes.map(({ name, change, bump }) => `${change} ${name}: ${bump}`).sort();
/** The new API written as the committed report, as a developer does after changing it. */
const commit = (entries: { index: string; extra?: string }) => {
  fixture.setEntries(entries);
  writeApiReports(pkg());
};
/** The current reports become the released ones, as `pnpm version-packages` does. */
const release = () => {
  writeReleased(loadWorkspace(fixture.root));
  fixture.setChangesets();
};

describe.sequential('API reports of a package', () => {
  it('writes one report per typed entry of "exports", named after the package and the subpath', () => {
    expect(writeApiReports(pkg())).toEqual(['wrote api/lib.api.md', 'wrote api/lib-extra.api.md']);
    const main = readFileSync(join(fixture.packageDir, 'api', 'lib.api.md'), 'utf8');
    expect(main).toContain('export function greet(name: string): string;');
    expect(main).toContain('get(id: string): Promise<string>;');
    expect(readFileSync(join(fixture.packageDir, 'api', 'lib-extra.api.md'), 'utf8')).toContain('VERSION: string');
    expect(writeApiReports(pkg())).toEqual([`${FIXTURE_PACKAGE}: API reports are up to date`]);
  });

  it('passes when the reports are current and equal to the released ones', async () => {
    release();
    expect(existsSync(join(fixture.packageDir, 'api', 'released', 'lib.api.md'))).toBe(true);
    const result = await check();
    expect(result).toMatchObject({ ok: true, changes: [] });
    expect(result.lines).toEqual([
      `api-report: the public API of ${FIXTURE_PACKAGE} is the released one (api/released/).`,
    ]);
  });

  it('fails on a stale report, naming what changed and the command that updates it', async () => {
    fixture.setEntries({ index: `${INDEX}export declare function wave(): void;\n`, extra: EXTRA });
    const result = await check();
    expect(result.ok).toBe(false);
    const report = result.lines.join('\n');
    expect(report).toContain(`the committed API report of ${FIXTURE_PACKAGE} is stale (api/lib.api.md)`);
    expect(report).toContain('  - added `wave` (lib.api.md): minor');
    expect(report).toContain(`Run \`pnpm --filter ${FIXTURE_PACKAGE} api-report\` and commit the updated report.`);
  });

  it('needs a minor changeset for an added export', async () => {
    commit({ index: `${INDEX}export declare function wave(): void;\n`, extra: EXTRA });
    const without = await check();
    expect(without.ok).toBe(false);
    expect(summary(without.changes)).toEqual(['added wave: minor']);
    expect(without.lines.join('\n')).toContain(
      `${FIXTURE_PACKAGE}: needs a minor bump; the pending changesets declare none`,
    );

    fixture.setChangesets({ [FIXTURE_PACKAGE]: 'patch' });
    expect((await check()).lines.join('\n')).toContain('needs a minor bump; the pending changesets declare only patch');

    fixture.setChangesets({ 'some-other-package': 'major' }, { [FIXTURE_PACKAGE]: 'minor' });
    const covered = await check();
    expect(covered.ok).toBe(true);
    expect(covered.lines.join('\n')).toContain(
      `A pending changeset declares a minor (or higher) bump for ${FIXTURE_PACKAGE}.`,
    );
    release();
  });

  it('needs a major changeset for a removed export', async () => {
    commit({ index: INDEX, extra: EXTRA });
    fixture.setChangesets({ [FIXTURE_PACKAGE]: 'minor' });
    const minor = await check();
    expect(minor.ok).toBe(false);
    expect(summary(minor.changes)).toEqual(['removed wave: major']);
    expect(minor.lines.join('\n')).toContain('needs a major bump; the pending changesets declare only minor');

    fixture.setChangesets({ [FIXTURE_PACKAGE]: 'major' });
    expect((await check()).ok).toBe(true);
    release();
  });

  it('classifies a changed export: major, unless it only adds optional interface members or class members', async () => {
    commit({
      index: INDEX.replace('greet(name: string)', 'greet(name: string, loud: boolean)')
        .replace('    retries?: number;\n', '    retries?: number;\n    timeoutMs?: number;\n')
        .replace(
          '    get(id: string): Promise<string>;\n',
          '    get(id: string): Promise<string>;\n    remove(id: string): Promise<void>;\n',
        ),
      extra: EXTRA,
    });
    expect(summary((await check()).changes)).toEqual([
      'changed Client: minor',
      'changed Options: minor',
      'changed greet: major',
    ]);

    commit({
      index: INDEX.replace('    retries?: number;\n', '    retries?: number;\n    region: string;\n'),
      extra: EXTRA,
    });
    expect(summary((await check()).changes)).toEqual(['changed Options: major']);
  });

  it('counts a removed entry as the removal of its exports', async () => {
    commit({ index: INDEX });
    expect(existsSync(join(fixture.packageDir, 'api', 'lib-extra.api.md'))).toBe(false);
    const result = await check();
    expect(summary(result.changes)).toEqual(['removed VERSION: major']);
    expect(result.ok).toBe(false);
  });
});

describe.sequential('the release-gates command', () => {
  // Asynchronous, so the test worker keeps answering vitest while api-extractor runs (a long
  // synchronous child on a busy machine times out the worker's messages to its runner).
  const run = (args: string[], cwd: string) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' }, (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
    });

  it('exits 1 with the gate message on a failed check, 0 on a passing one', async () => {
    const failed = await run(['api-report', '--check'], fixture.packageDir);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('removed `VERSION` (lib-extra.api.md): major');
    expect(failed.stderr).toContain('Add one with `pnpm changeset`');

    const released = await run(['released', '--check'], fixture.root);
    expect(released.status).toBe(1);
    expect(released.stderr).toContain('packages/lib/api/released/lib-extra.api.md is released but its entry is gone');
    expect(released.stderr).toContain('Run `pnpm version-packages`');

    expect((await run(['released'], fixture.root)).status).toBe(0);
    expect((await run(['released', '--check'], fixture.root)).stdout).toContain('every released baseline is current');
    expect((await run(['api-report', '--check'], fixture.packageDir)).status).toBe(0);
  });

  it('exits 2 on a usage error, and 1 with a clear message outside a gated package', async () => {
    const usage = await run(['api-report', '--force'], fixture.packageDir);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('unknown option --force');

    const ungated = await run(['spec-breaking'], fixture.packageDir);
    expect(ungated.status).toBe(1);
    expect(ungated.stderr).toContain(`${FIXTURE_PACKAGE} has no releaseGates.spec in its package.json`);
  });
});
