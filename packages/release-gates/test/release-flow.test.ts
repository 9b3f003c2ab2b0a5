// `pnpm version-packages` run for real in a temporary copy of the workspace: every published
// package gets a CHANGELOG entry, the released baselines the gates compare against become the
// current spec and API reports, and the working tree is left as it was.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dryRunVersionPackages } from '../src/dry-run.mjs';
import { unreleased } from '../src/released.mjs';
import { loadWorkspace } from '../src/workspace.mjs';

const realRoot = loadWorkspace(import.meta.dirname).rootDir;
const pendingFiles = (dir: string) =>
  readdirSync(join(dir, '.changeset')).filter((name) => name.endsWith('.md') && name !== 'README.md');
const published = loadWorkspace(realRoot).packages.filter((pkg) => pkg.published);
const realChangesets = pendingFiles(realRoot).map((name) => readFileSync(join(realRoot, '.changeset', name), 'utf8'));
// A changeset of its own for every published package, so each one has an entry to show even
// when nothing else is pending.
const marker = `Dry run of the release flow, ${process.pid}.`;
let run: Awaited<ReturnType<typeof dryRunVersionPackages>>;
beforeAll(async () => {
  const releases = Object.fromEntries(published.map((pkg) => [pkg.name, 'patch'] as const));
  run = await dryRunVersionPackages(realRoot, {
    changesets: [{ id: 'release-flow-dry-run', releases, summary: marker }],
  });
});
afterAll(() => run?.cleanup());

describe('pnpm version-packages (dry run in a copy)', () => {
  it('versions every published package and writes its CHANGELOG entry', () => {
    expect(published.map((pkg) => pkg.name)).toEqual(
      expect.arrayContaining(['@usagebudget/openapi', '@usagebudget/client']),
    );
    for (const before of published) {
      const after = run.after.packages.find((pkg) => pkg.name === before.name);
      const version = after?.packageJson.version;
      expect(version, before.name).not.toBe(before.packageJson.version);
      const changelogPath = join(run.dir, relative(realRoot, before.dir), 'CHANGELOG.md');
      expect(existsSync(changelogPath), `${before.name} has no CHANGELOG.md after version-packages`).toBe(true);
      const changelog = readFileSync(changelogPath, 'utf8');
      expect(changelog, before.name).toContain(`## ${version}\n`);
      expect(changelog, before.name).toContain(marker);
      // Every pending changeset that names the package is in its entry, summary and all.
      for (const changeset of realChangesets.filter((text) => text.split('---')[1]?.includes(`"${before.name}"`))) {
        const summary = changeset.split('---').slice(2).join('---').trim().split('\n')[0] ?? '';
        expect(changelog, before.name).toContain(summary);
      }
    }
  });

  it('consumes the changesets and releases the spec and the API reports as they stand', () => {
    expect(pendingFiles(run.dir)).toEqual([]);
    expect(run.output).toMatch(/released openapi\/usagebudget\.yaml as openapi\/released\/\d+\.\d+\.\d+\.yaml/);
    expect(run.output).toContain('packages/client/api/released/client.api.md');
    expect(unreleased(run.after)).toEqual([]);
  });

  it('leaves the working tree alone', () => {
    expect(pendingFiles(realRoot).map((name) => readFileSync(join(realRoot, '.changeset', name), 'utf8'))).toEqual(
      realChangesets,
    );
    expect(loadWorkspace(realRoot).packages.map((pkg) => pkg.packageJson.version)).toEqual(
      run.before.packages.map((pkg) => pkg.packageJson.version),
    );
  });
});
