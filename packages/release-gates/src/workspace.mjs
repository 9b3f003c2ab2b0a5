// The workspace as the gates see it: its root, and each package with the `releaseGates` section of
// its package.json, the one place a package says which gates guard it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getPackagesSync } from '@manypkg/get-packages';

/**
 * @typedef {object} SpecGateConfig
 * @property {string} source the spec file, relative to the package
 * @property {string} released the folder of released specs (`<info.version>.yaml`), relative to the package
 * @property {string[]} majorBumpFor the packages a breaking spec change breaks: each needs a major changeset
 *
 * @typedef {object} ApiReportConfig
 * @property {string} folder where the reports are committed (the released copies go in `<folder>/released`)
 *
 * @typedef {object} GateConfig
 * @property {SpecGateConfig} [spec]
 * @property {ApiReportConfig} [apiReport]
 *
 * @typedef {object} WorkspacePackage
 * @property {string} name
 * @property {string} dir
 * @property {boolean} published
 * @property {Record<string, unknown>} packageJson
 * @property {GateConfig} gates
 *
 * @typedef {object} Workspace
 * @property {string} rootDir
 * @property {WorkspacePackage[]} packages
 */

/** @param {string} cwd any folder inside the workspace */
export function loadWorkspace(cwd) {
  const { root, packages } = getPackagesSync(cwd);
  return {
    rootDir: root.dir,
    packages: packages.map((pkg) => readPackage(pkg.dir)),
  };
}

/**
 * @param {string} dir
 * @returns {WorkspacePackage}
 */
export function readPackage(dir) {
  const path = join(dir, 'package.json');
  const packageJson = JSON.parse(readFileSync(path, 'utf8'));
  return {
    name: packageJson.name,
    dir,
    published: packageJson.private !== true,
    packageJson,
    gates: readGateConfig(packageJson.releaseGates ?? {}, path),
  };
}

/**
 * @param {Workspace} workspace
 * @param {string} dir
 */
export function packageAt(workspace, dir) {
  const found = workspace.packages.find((pkg) => pkg.dir === dir);
  if (!found) throw new Error(`${dir} is not a package of the workspace at ${workspace.rootDir}`);
  return found;
}

/**
 * Checks the shape here so that a typo in package.json is an error that names it, not a gate
 * that silently checks nothing.
 * @param {Record<string, any>} raw
 * @param {string} path
 * @returns {GateConfig}
 */
function readGateConfig(raw, path) {
  const bad = (/** @type {string} */ what) => new Error(`${path}: releaseGates.${what}`);
  const known = new Set(['spec', 'apiReport']);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw bad(`${key} is not a gate (spec, apiReport)`);
  /** @type {GateConfig} */
  const config = {};
  if (raw.spec !== undefined) {
    const { source, released, majorBumpFor } = raw.spec;
    if (typeof source !== 'string') throw bad('spec.source must be the spec file');
    if (typeof released !== 'string') throw bad('spec.released must be the folder of released specs');
    if (!Array.isArray(majorBumpFor) || majorBumpFor.length === 0 || !majorBumpFor.every((n) => typeof n === 'string'))
      throw bad('spec.majorBumpFor must list the packages a breaking spec change breaks');
    config.spec = { source, released, majorBumpFor };
  }
  if (raw.apiReport !== undefined) {
    const { folder } = raw.apiReport;
    if (typeof folder !== 'string') throw bad('apiReport.folder must be the folder of the API reports');
    config.apiReport = { folder };
  }
  return config;
}
