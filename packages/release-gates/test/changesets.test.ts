// What the gates read from .changeset/*.md: the highest bump declared per package, and which
// required bumps the pending changesets do not cover.
import { afterAll, describe, expect, it } from 'vitest';
import { missingBumps, pendingBumps } from '../src/changesets.mjs';
import { makeWorkspace } from './fixture.js';

const fixture = makeWorkspace();
afterAll(() => fixture.remove());

describe('pending changesets', () => {
  it('gives each package the highest bump any pending changeset declares', async () => {
    fixture.setChangesets({ a: 'patch', b: 'major' }, { a: 'minor' }, { a: 'patch', c: 'none' });
    expect(Object.fromEntries(await pendingBumps(fixture.root))).toEqual({ a: 'minor', b: 'major' });
  });

  it('finds none in an empty .changeset folder', async () => {
    fixture.setChangesets();
    expect((await pendingBumps(fixture.root)).size).toBe(0);
  });

  it('lists the required bumps that are not covered, with what is declared', () => {
    const declared = new Map([
      ['a', 'minor'],
      ['b', 'major'],
    ] as const);
    const required = new Map([
      ['a', 'major'],
      ['b', 'minor'],
      ['c', 'patch'],
    ] as const);
    expect(missingBumps(required, declared)).toEqual([
      { name: 'a', required: 'major', declared: 'minor' },
      { name: 'c', required: 'patch', declared: 'none' },
    ]);
  });
});
