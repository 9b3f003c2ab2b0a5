import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ServerConfig } from '../../src/partners/config-format.js';
import { openPostgresStore, POSTGRES_URL } from '../../src/storage/postgres-store.js';
import type { WebhookEventFilter, WebhookEventRecord } from '../../src/storage/webhook-store.js';
import {
  readWebhookEvents,
  type ServerProcess,
  type ServerProcessOptions,
  type StartedPostgres,
  startPostgres,
  startServerProcess,
} from '../../src/testing/index.js';

/** Which engine the behaviour suite runs on: `postgres` in the vitest project of that name (vitest.config.ts), else SQLite. */
export const TEST_ENGINE = process.env.USAGEBUDGET_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/** Databases for the servers of a test file, on the test engine. */
export interface TestDatabases {
  /** A new empty database: a SQLite file in the file's scratch folder, or a database on its PostgreSQL cluster. */
  fresh(): Promise<string>;
  /** The webhook events a database keeps, each with its attempts (a SQLite file's once its server stopped). */
  webhookEvents(db: string, filter?: WebhookEventFilter): Promise<WebhookEventRecord[]>;
}

/**
 * Databases for a test file that starts its servers itself: on the `postgres` test engine, a
 * PostgreSQL cluster started for the file before its tests and stopped after them; else SQLite
 * files in a scratch folder, removed after them.
 */
export function useDatabases(): TestDatabases {
  let postgres: StartedPostgres | undefined;
  const scratch = scratchDir();
  let made = 0;
  beforeAll(async () => {
    if (TEST_ENGINE === 'postgres') postgres = await startPostgres({ settings: { fsync: 'off' } });
  });
  afterAll(async () => {
    await postgres?.stop();
    scratch.remove();
  });
  return {
    fresh: async () => {
      made++;
      return postgres
        ? postgres.createDatabase(`usagebudget_${made}`)
        : join(scratch.dir, `usagebudget-${made}.sqlite`);
    },
    webhookEvents: async (db, filter) => {
      if (!POSTGRES_URL.test(db)) return readWebhookEvents(db, filter);
      const store = await openPostgresStore(db);
      try {
        return await store.webhookEvents(filter);
      } finally {
        await store.close();
      }
    },
  };
}

/**
 * One server process for a test file: started with `config` and `options` before its tests,
 * stopped (its scratch folder with it) after them. On the `postgres` test engine, a database of
 * its own on a PostgreSQL cluster started for it, unless `options.db` names one.
 */
export function useServer(
  config: ServerConfig,
  options: Omit<ServerProcessOptions, 'config'> = {},
): { readonly current: ServerProcess } {
  const databases = options.db === undefined && TEST_ENGINE === 'postgres' ? useDatabases() : undefined;
  let started: ServerProcess | undefined;
  beforeAll(async () => {
    const db = options.db ?? (await databases?.fresh());
    started = await startServerProcess({ config, ...options, ...(db === undefined ? {} : { db }) });
  });
  afterAll(async () => {
    await started?.stop();
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
