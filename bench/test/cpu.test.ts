import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuSecondsOf, treeCpuSecondsOf } from '../src/servers.js';

describe.runIf(process.platform === 'linux')('CPU time from /proc', () => {
  it("counts a process's children, the ones that ended included, in its tree's CPU and not in its own", () => {
    const ownBefore = cpuSecondsOf(process.pid) as number;
    const treeBefore = treeCpuSecondsOf(process.pid) as number;
    // A child that spins for 300 ms of CPU, then is reaped: its time moves to this process's cutime.
    spawnSync(process.execPath, [
      '-e',
      'const end = process.cpuUsage().user + 300_000; while (process.cpuUsage().user < end);',
    ]);
    const own = (cpuSecondsOf(process.pid) as number) - ownBefore;
    const tree = (treeCpuSecondsOf(process.pid) as number) - treeBefore;
    expect(tree - own).toBeGreaterThanOrEqual(0.25);
  });

  it('answers undefined for a process that is gone', () => {
    expect(cpuSecondsOf(2 ** 22 + 1)).toBeUndefined();
    expect(treeCpuSecondsOf(2 ** 22 + 1)).toBeUndefined();
  });
});
