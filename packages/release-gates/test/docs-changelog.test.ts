// The docs' Changelog section, fed with the CHANGELOG.md that `pnpm version-packages` really
// writes for this package (run in a temporary copy of the workspace).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dryRunVersionPackages, loadWorkspace } from '../src/index.mjs';

// The spec package, as an installed dependency of this test workspace.
const packageDir = dirname(createRequire(import.meta.url).resolve('@usagebudget/openapi/package.json'));
const { CHANGELOG_TAG, withChangelog } = await import(pathToFileURL(join(packageDir, 'scripts', 'changelog.mjs')).href);
const packageName: string = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).name;
const spec = JSON.parse(readFileSync(join(packageDir, 'dist', 'usagebudget.json'), 'utf8'));
const sectionOf = (document: { tags?: { name: string; description?: string }[] }) =>
  document.tags?.find((tag) => tag.name === CHANGELOG_TAG);

describe('the docs changelog section', () => {
  it('is the last section, linked from the end of the introduction, and says when nothing is released', () => {
    const docs = withChangelog(spec, undefined, packageName);
    expect(docs.info.description).toMatch(/\[Changelog\]\(#tag\/Changelog\)\.$/);
    expect(docs.info.description.startsWith(spec.info.description.trimEnd())).toBe(true);
    expect(docs.tags.at(-1)).toMatchObject({ name: CHANGELOG_TAG, 'x-traitTag': true });
    expect(sectionOf(docs)?.description).toContain('No version has been released yet.');
    // Only the docs' copy changes: the spec the package publishes stays as it is.
    expect(sectionOf(spec)).toBeUndefined();
  });

  it('shows each released version with its entries once `pnpm version-packages` has run', async () => {
    const summary = `A change the docs changelog must show, ${process.pid}.`;
    const workspace = loadWorkspace(packageDir);
    const run = await dryRunVersionPackages(workspace.rootDir, {
      changesets: [{ id: 'docs-changelog', releases: { [packageName]: 'minor' }, summary }],
    });
    try {
      const copy = join(run.dir, relative(workspace.rootDir, packageDir));
      const version = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')).version;
      const section = sectionOf(withChangelog(spec, readFileSync(join(copy, 'CHANGELOG.md'), 'utf8'), packageName));
      expect(section?.description).toContain(`## ${version}\n`);
      expect(section?.description).toContain(`- ${summary}`);
      expect(section?.description).not.toContain(`# ${packageName}\n`);
      expect(section?.description).not.toContain('No version has been released yet.');
    } finally {
      run.cleanup();
    }
  });
});
