import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort, isRunning, portIsFree, runToEnd, startNodeServer, startProcess } from '../../src/testing/index.js';

const builtTesting = fileURLToPath(new URL('../../dist/testing/index.js', import.meta.url));

// A child that listens on a port, prints a ready line, and ignores SIGTERM when asked to.
const listener = (ignoreTerm: boolean) => `
  const server = require('node:net').createServer().listen(0, '127.0.0.1', () => {
    console.log('ready on ' + server.address().port);
  });
  ${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''}
`;

/**
 * A parent that starts a listener with the built helper (with `options` added), runs `then`,
 * prints the child's pid and port, and waits.
 */
function parentOfListener(name: string, then = '', options = '') {
  return startProcess({
    name,
    command: process.execPath,
    args: [
      '--input-type=module',
      '-e',
      `import { startProcess } from ${JSON.stringify(builtTesting)};
       const child = await startProcess({ name: 'child', command: process.execPath, args: ['-e', ${JSON.stringify(listener(false))}], ready: /ready on (\\d+)/ ${options} });
       ${then}
       console.log('child ' + child.pid + ' ' + child.ready[1]);
       setInterval(() => {}, 1000);`,
    ],
    ready: /^child (\d+) (\d+)$/,
  });
}

/** Whether the process is gone within `ms` (bounded: a check of behaviour, not of speed). */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < ms; ) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isRunning(pid);
}

describe('startProcess', () => {
  it('resolves on the ready line and frees the port when stopped', async () => {
    const child = await startProcess({
      name: 'listener',
      command: process.execPath,
      args: ['-e', listener(false)],
      ready: /ready on (\d+)/,
    });
    const port = Number(child.ready[1]);
    expect(await portIsFree(port)).toBe(false);
    expect(await child.stop()).toBe('SIGTERM');
    expect(await portIsFree(port)).toBe(true);
  });

  it('escalates to SIGKILL when the process ignores SIGTERM', async () => {
    const child = await startProcess({
      name: 'stubborn',
      command: process.execPath,
      args: ['-e', listener(true)],
      ready: /ready on (\d+)/,
    });
    expect(await child.stop('SIGTERM', 200)).toBe('SIGKILL');
    expect(await portIsFree(Number(child.ready[1]))).toBe(true);
  });

  it('rejects with the output when the process exits before it is ready', async () => {
    const start = startProcess({
      name: 'crasher',
      command: process.execPath,
      args: ['-e', "console.error('boom: bad config'); process.exit(3)"],
      ready: /never/,
    });
    await expect(start).rejects.toThrow(/crasher: exited with 3 before it was ready[\s\S]*boom: bad config/);
  });

  it('keeps what the process printed on stdout apart from the interleaved output', async () => {
    const child = await startProcess({
      name: 'two streams',
      command: process.execPath,
      args: ['-e', "console.error('to stderr'); console.log('to stdout'); setInterval(() => {}, 1000)"],
      ready: /^to stdout$/,
    });
    await child.stop();
    expect(child.stdout()).toBe('to stdout\n');
    expect(child.output()).toContain('to stderr');
  });

  it('rejects and kills the process when the ready line does not come in time', async () => {
    const start = startProcess({
      name: 'silent',
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      ready: /never/,
      timeoutMs: 300,
    });
    await expect(start).rejects.toThrow(/silent: not ready after 300 ms/);
  });
});

describe('a parent ended by a signal', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('kills its children on %s, and still dies of it', async (signal) => {
    // The parent starts a child with the built helper, prints its pid, and waits.
    const parent = await parentOfListener('parent');
    const childPid = Number(parent.ready[1]);
    expect(isRunning(childPid)).toBe(true);
    process.kill(parent.pid, signal);
    expect(await parent.exited).toBe(signal);
    // The child got SIGKILL before the parent went; its exit is reaped by init.
    for (let attempt = 0; isRunning(childPid) && attempt < 100; attempt++) await new Promise((r) => setTimeout(r, 20));
    expect(isRunning(childPid)).toBe(false);
  });
  it('leaves a parent that handles the signal to stop its children its own way', async () => {
    // The parent stops its child itself on SIGINT, then exits 130; it is not ended by the signal.
    const parent = await parentOfListener(
      'graceful parent',
      "process.once('SIGINT', async () => { console.log('stopped with ' + (await child.stop())); process.exit(130); });",
    );
    process.kill(parent.pid, 'SIGINT');
    expect(await parent.exited).toBe(130);
    expect(parent.stdout()).toContain('stopped with SIGTERM');
    expect(isRunning(Number(parent.ready[1]))).toBe(false);
  });
});

describe('a parent killed with SIGKILL', () => {
  it('takes a child started with exitWithParent with it: the child exits and lets its port go', async () => {
    const parent = await parentOfListener('parent of a child that exits with it', '', ', exitWithParent: true');
    const childPid = Number(parent.ready[1]);
    const port = Number(parent.ready[2]);
    try {
      expect(await portIsFree(port)).toBe(false);
      // No exit hook runs on SIGKILL: only the child itself can notice.
      process.kill(parent.pid, 'SIGKILL');
      expect(await parent.exited).toBe('SIGKILL');
      expect(await goneWithin(childPid, 30_000)).toBe(true);
      expect(await portIsFree(port)).toBe(true);
    } finally {
      if (isRunning(childPid)) process.kill(childPid, 'SIGKILL');
    }
  });

  it('lets a child with exitWithParent read nothing of the pipe it watches, and end on its own', async () => {
    const child = await startProcess({
      name: 'short-lived',
      command: process.execPath,
      args: ['-e', "console.log('ready'); setTimeout(() => console.log('done'), 100)"],
      ready: /^ready$/,
      exitWithParent: true,
    });
    expect(await child.exited).toBe(0);
    expect(child.stdout()).toBe('ready\ndone\n');
  });
});

describe('startNodeServer', () => {
  it('runs a script with this Node and resolves with the URL of its listening line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'child-process-test-'));
    const script = join(dir, 'server.cjs');
    writeFileSync(
      script,
      `const server = require('node:http').createServer((_, res) => res.end(process.argv[2]));
       server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));`,
    );
    try {
      const server = await startNodeServer({ name: 'echo', script, args: ['hello'] });
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(server.url)).text()).toBe('hello');
      await server.stop();
      expect(await portIsFree(Number(new URL(server.url).port))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('runToEnd', () => {
  it('resolves with the exit code and both outputs, however the program exits', async () => {
    const done = await runToEnd(process.execPath, ['-e', "console.log('out'); console.error('err'); process.exit(3)"]);
    expect(done).toEqual({ code: 3, signal: null, stdout: 'out\n', stderr: 'err\n' });
  });

  it('kills a program that outlasts its time limit, by its pid', async () => {
    const done = await runToEnd(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 200 });
    expect(done).toMatchObject({ code: null, signal: 'SIGKILL' });
  });
});

describe('freePort', () => {
  it('returns a port that can be bound on 127.0.0.1', async () => {
    expect(await portIsFree(await freePort())).toBe(true);
  });
});
