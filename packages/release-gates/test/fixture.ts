// A throwaway workspace on disk: a root, a `.changeset/` folder and one package whose public API
// is a few `.d.ts` files, gated by an API report. The gates run on it exactly as on the real one.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bump, writeChangeset } from '../src/changesets.mjs';

export const FIXTURE_PACKAGE = '@fixture/lib';

export function makeWorkspace() {
  const root = mkdtempSync(join(tmpdir(), 'release-gates-'));
  const packageDir = join(root, 'packages', 'lib');
  mkdirSync(packageDir, { recursive: true });
  mkdirSync(join(root, '.changeset'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fixture-root', private: true }));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');

  const workspace = {
    root,
    packageDir,
    /** Sets the package's entries: `.` is `index.d.ts`, `./extra` is `extra.d.ts` when given. */
    setEntries(entries: { index: string; extra?: string }) {
      const exports: Record<string, unknown> = { '.': { types: './index.d.ts', default: './index.js' } };
      writeFileSync(join(packageDir, 'index.d.ts'), entries.index);
      if (entries.extra !== undefined) {
        exports['./extra'] = { import: { types: './extra.d.ts', default: './extra.js' } };
        writeFileSync(join(packageDir, 'extra.d.ts'), entries.extra);
      }
      const packageJson = {
        name: FIXTURE_PACKAGE,
        version: '1.0.0',
        type: 'module',
        exports: { ...exports, './package.json': './package.json' },
        releaseGates: { apiReport: { folder: 'api' } },
      };
      writeFileSync(join(packageDir, 'package.json'), JSON.stringify(packageJson, null, 2));
      return workspace;
    },
    /** Replaces the pending changesets with one per entry. */
    setChangesets(...changesets: Record<string, Bump>[]) {
      for (const name of readdirSync(join(root, '.changeset'))) rmSync(join(root, '.changeset', name));
      changesets.forEach((releases, i) => {
        writeChangeset(root, `change-${i}`, releases, 'A change.');
      });
      return workspace;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  return workspace;
}
