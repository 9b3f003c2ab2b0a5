import { join, resolve } from 'node:path';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4020;
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
