// The released baselines the gates compare against: the spec as `<released>/<info.version>.yaml`
// and each API report as `<folder>/released/<name>.api.md`. The release step (`pnpm
// version-packages`) writes them right after `changeset version` consumes the changesets that
// justified the changes; `pnpm release` refuses to publish when they are not current.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPORT_SUFFIX } from './api-report.mjs';
import { specVersion } from './spec-gate.mjs';

/**
 * The file each current artefact is released as, for every gated package of the workspace.
 * @param {import('./workspace.mjs').Workspace} workspace
 */
export function releasedCopies(workspace) {
  /** @type {{ from: string; to: string }[]} */
  const copies = [];
  /** @type {{ dir: string; keep: Set<string> }[]} */
  const reportFolders = [];
  for (const pkg of workspace.packages) {
    const { spec, apiReport } = pkg.gates;
    if (spec) {
      const from = join(pkg.dir, spec.source);
      copies.push({ from, to: join(pkg.dir, spec.released, `${specVersion(from)}.yaml`) });
    }
    if (apiReport) {
      const folder = join(pkg.dir, apiReport.folder);
      const names = existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith(REPORT_SUFFIX)) : [];
      for (const name of names) copies.push({ from: join(folder, name), to: join(folder, 'released', name) });
      reportFolders.push({ dir: join(folder, 'released'), keep: new Set(names) });
    }
  }
  // A released report whose entry is gone was released as a removal: it goes too.
  const obsolete = reportFolders.flatMap(({ dir, keep }) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => name.endsWith(REPORT_SUFFIX) && !keep.has(name))
          .map((name) => join(dir, name))
      : [],
  );
  return { copies, obsolete };
}

/** @param {import('./workspace.mjs').Workspace} workspace */
export function writeReleased(workspace) {
  const { copies, obsolete } = releasedCopies(workspace);
  const shown = (/** @type {string} */ path) => relative(workspace.rootDir, path);
  for (const { from, to } of copies) {
    mkdirSync(join(to, '..'), { recursive: true });
    copyFileSync(from, to);
  }
  for (const path of obsolete) rmSync(path);
  return [
    ...copies.map(({ from, to }) => `released ${shown(from)} as ${shown(to)}`),
    ...obsolete.map((path) => `removed ${shown(path)} (its entry is gone)`),
  ];
}

/**
 * What is not released as it stands: a spec or report that differs from its released copy.
 * @param {import('./workspace.mjs').Workspace} workspace
 */
export function unreleased(workspace) {
  const { copies, obsolete } = releasedCopies(workspace);
  const shown = (/** @type {string} */ path) => relative(workspace.rootDir, path);
  return [
    ...copies
      .filter(({ from, to }) => !existsSync(to) || readFileSync(from, 'utf8') !== readFileSync(to, 'utf8'))
      .map(({ from, to }) => `${shown(from)} differs from ${shown(to)}`),
    ...obsolete.map((path) => `${shown(path)} is released but its entry is gone`),
  ];
}
