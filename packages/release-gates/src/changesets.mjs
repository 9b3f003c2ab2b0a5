// What the pending changesets (.changeset/*.md) declare, and whether that covers the bumps a gate
// requires. Both gates ask the same question, so it is answered here only.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import readChangesets from '@changesets/read';

/** @typedef {'none' | 'patch' | 'minor' | 'major'} Bump */

/** @type {Record<Bump, number>} */
const RANK = { none: 0, patch: 1, minor: 2, major: 3 };

/**
 * The highest bump the pending changesets declare for each package.
 * @param {string} rootDir the folder that holds `.changeset/`
 * @returns {Promise<Map<string, Bump>>}
 */
export async function pendingBumps(rootDir) {
  /** @type {Map<string, Bump>} */
  const bumps = new Map();
  for (const changeset of await readChangesets(rootDir)) {
    for (const { name, type } of changeset.releases) {
      if (RANK[type] > RANK[bumps.get(name) ?? 'none']) bumps.set(name, type);
    }
  }
  return bumps;
}

/** @param {Bump} a @param {Bump} b */
export function higherBump(a, b) {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The packages whose declared bump is below what is required, with what they declare.
 * @param {Map<string, Bump>} required
 * @param {Map<string, Bump>} declared
 */
export function missingBumps(required, declared) {
  return [...required]
    .filter(([name, bump]) => RANK[declared.get(name) ?? 'none'] < RANK[bump])
    .map(([name, bump]) => ({ name, required: bump, declared: declared.get(name) ?? 'none' }));
}

/**
 * One line per missing bump, and how to add it.
 * @param {ReturnType<typeof missingBumps>} missing
 */
export function describeMissingBumps(missing) {
  return [
    ...missing.map(
      ({ name, required, declared }) =>
        `  - ${name}: needs a ${required} bump; the pending changesets declare ${declared === 'none' ? 'none' : `only ${declared}`}`,
    ),
    '  Add one with `pnpm changeset` (pick those packages and that bump) and commit the .changeset/*.md it writes.',
  ];
}

/**
 * Writes `.changeset/<id>.md` as `pnpm changeset` would: for the dry run and for tests.
 * @param {string} rootDir the folder that holds `.changeset/`
 * @param {string} id
 * @param {Record<string, Bump>} releases
 * @param {string} summary
 */
export function writeChangeset(rootDir, id, releases, summary) {
  const header = Object.entries(releases).map(([name, bump]) => `"${name}": ${bump}`);
  writeFileSync(join(rootDir, '.changeset', `${id}.md`), `---\n${header.join('\n')}\n---\n\n${summary}\n`);
}
