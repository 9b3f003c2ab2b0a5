/** @typedef {import('./changesets.mjs').Bump} Bump */
export {
  checkApiReports,
  compareReports,
  parseReport,
  reportEntries,
  updateCommand,
  writeApiReports,
} from './api-report.mjs';
export { describeMissingBumps, higherBump, missingBumps, pendingBumps, writeChangeset } from './changesets.mjs';
export { dryRunVersionPackages } from './dry-run.mjs';
export { releasedCopies, unreleased, writeReleased } from './released.mjs';
export {
  checkSpec,
  diffSpecs,
  latestReleasedSpec,
  specVersion,
  withVendorCombinatorsSpelledOut,
} from './spec-gate.mjs';
export { loadWorkspace, packageAt, readPackage } from './workspace.mjs';
