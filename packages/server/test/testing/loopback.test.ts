import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ExitedBeforeReadyError,
  freePort,
  portIsFree,
  startOnFreePort,
  startProcess,
} from '../../src/testing/index.js';

// A program that binds the port it is given, as Prism and PostgreSQL do: it exits at once when
// the port is taken.
const listener = `require('node:net').createServer().listen(Number(process.argv[1]), '127.0.0.1', function () {
  console.log('listening on ' + this.address().port);
});`;
const startListener = (port: number) =>
  startProcess({
    name: 'listener',
    command: process.execPath,
    args: ['-e', listener, String(port)],
    ready: /^listening on (\d+)$/,
  });

describe('startOnFreePort', () => {
  it('starts the program on another free port when another process took the first one', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    const picked: number[] = [];
    const pickPort = async () => {
      const port = picked.length === 0 ? taken : await freePort();
      picked.push(port);
      return port;
    };
    try {
      const started = await startOnFreePort(startListener, { pickPort });
      expect(picked).toHaveLength(2);
      expect(Number(started.ready[1])).toBe(picked[1]);
      await started.stop();
      expect(await portIsFree(picked[1] as number)).toBe(true);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('gives up after the attempts it was given, with the last failure', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    let picks = 0;
    try {
      const pickPort = async () => {
        picks++;
        return taken;
      };
      const start = startOnFreePort(startListener, { attempts: 2, pickPort });
      await expect(start).rejects.toBeInstanceOf(ExitedBeforeReadyError);
      expect(picks).toBe(2);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
