import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ServerConfig } from '../../src/partners/config-format.js';
import {
  type ServerProcess,
  type ServerProcessOptions,
  type StartedPostgres,
  startPostgres,
  startServerProcess,
} from '../../src/testing/index.js';

/** Which engine the behaviour suite runs on: `postgres` in the vitest project of that name (vitest.config.ts), else SQLite. */
export const TEST_ENGINE = process.env.USAGEBUDGET_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/**
 * One server process for a test file: started with `config` and `options` before its tests,
 * stopped (its scratch folder with it) after them. On the `postgres` test engine, a database of
 * its own on a PostgreSQL cluster started for it, unless `options.db` names one.
 */
export function useServer(
  config: ServerConfig,
  options: Omit<ServerProcessOptions, 'config'> = {},
): { readonly current: ServerProcess } {
  let started: ServerProcess | undefined;
  let postgres: StartedPostgres | undefined;
  beforeAll(async () => {
    let { db } = options;
    if (db === undefined && TEST_ENGINE === 'postgres') {
      postgres = await startPostgres({ settings: { fsync: 'off' } });
      db = await postgres.createDatabase('usagebudget');
    }
    started = await startServerProcess({ config, ...options, ...(db === undefined ? {} : { db }) });
  });
  afterAll(async () => {
    await started?.stop();
    await postgres?.stop();
  });
  return {
    get current() {
      if (!started) throw new Error('the server has not started: use it inside a test');
      return started;
    },
  };
}

/** A folder of the test's own, for databases that outlive one server process; `remove()` deletes it. */
export function scratchDir(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'usagebudget-server-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
