import { join, resolve } from 'node:path';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4020;
/** The limits on connections a server has without options or flags. */
export const DEFAULT_LIMITS = {
  /** A request's headers must arrive within this, from its first byte (or the connection's start). */
  headersTimeoutMs: 10_000,
  /** A whole request, headers and body, must arrive within this. */
  requestTimeoutMs: 30_000,
  /**
   * Open connections served at once. Far above what a partner's tools open (a client keeps a
   * few); low enough that a flood of idle or slow connections cannot run the process out of file
   * descriptors or memory.
   */
  maxConnections: 1_000,
} as const;
/** Where the CLI listens by default, and so where the client and the demo look first. */
export const DEFAULT_BASE_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;

/** The data directory: `$USAGEBUDGET_DATA_DIR`, else `data` under the working directory. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.USAGEBUDGET_DATA_DIR || 'data');
}

/** The database file the server uses without `--db`. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultDataDir(env), 'usagebudget.sqlite');
}
