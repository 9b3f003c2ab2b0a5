import type { Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { ExitedBeforeReadyError } from './child-process.js';

/** Asks the OS for a free TCP port on 127.0.0.1. Prefer `--port 0` where a program supports it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port the OS assigned'));
      });
    });
  });
}

/** How `startOnFreePort` starts: how many ports it tries, and where it gets them. */
export interface FreePortAttempts {
  /** Default 3. */
  attempts?: number;
  /** Default `freePort`; a test hands out a taken port through it. */
  pickPort?: () => Promise<number>;
}

/**
 * Starts a program that cannot listen on port 0 on a free port, and on another one when the
 * program exits before it is ready: another process can take the port between `freePort()` and
 * the program binding it (CI saw Prism exit at start so).
 */
export async function startOnFreePort<T>(
  start: (port: number) => Promise<T>,
  { attempts = 3, pickPort = freePort }: FreePortAttempts = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await pickPort());
    } catch (error) {
      if (!(error instanceof ExitedBeforeReadyError) || attempt >= attempts) throw error;
    }
  }
}

/** Whether `port` on 127.0.0.1 can be bound now: how tests check that a stopped process let its port go. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** An in-process server listening on a free 127.0.0.1 port: its URL, and a `close()` that ends its connections too. */
export interface LoopbackServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Listens `server` (a stand-in, a proxy, a counter of a test) on a free 127.0.0.1 port. */
export async function listenOnLoopback(server: Server): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
