import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ServerConfig } from '../../src/partners/config-format.js';
import { openPostgresStore } from '../../src/storage/postgres-store.js';
import { POSTGRES_URL } from '../../src/storage/postgres-url.js';
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

/**
 * The databases of a test file, on the test engine: SQLite files in a scratch folder, or, on the
 * `postgres` engine, databases of a PostgreSQL cluster started for the file when it first needs
 * one. They outlive the server processes that use them (to restart on the same data); all are
 * removed after the file's tests, the cluster stopped.
 */
export function useDatabases(): {
  /** A new empty database named `name` (a plain lower-case name), as `--db` takes it. */
  create(name: string): Promise<string>;
  /** A new empty database with a name of its own (`usagebudget_1`, `usagebudget_2`, …). */
  fresh(): Promise<string>;
  /** The cluster, on the `postgres` engine once `create` has run; else `undefined`. */
  postgres(): StartedPostgres | undefined;
  /** The webhook events a database keeps, each with its attempts (a SQLite file's once its server stopped). */
  webhookEvents(db: string, filter?: WebhookEventFilter): Promise<WebhookEventRecord[]>;
} {
  let scratch: ReturnType<typeof scratchDir> | undefined;
  let cluster: Promise<StartedPostgres> | undefined;
  let started: StartedPostgres | undefined;
  let made = 0;
  afterAll(async () => {
    const postgres = await cluster?.catch(() => undefined);
    await postgres?.stop();
    scratch?.remove();
  });
  return {
    create: async (name) => {
      if (TEST_ENGINE === 'sqlite') {
        scratch ??= scratchDir();
        return join(scratch.dir, `${name}.sqlite`);
      }
      // fsync off: these servers are killed, never the cluster, so durability is the server's part.
      cluster ??= startPostgres({ settings: { fsync: 'off' } });
      started = await cluster;
      return started.createDatabase(name);
    },
    fresh() {
      made++;
      return this.create(`usagebudget_${made}`);
    },
    postgres: () => started,
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
  let started: ServerProcess | undefined;
  const databases = useDatabases();
  beforeAll(async () => {
    let { db } = options;
    if (db === undefined && TEST_ENGINE === 'postgres') db = await databases.create('usagebudget');
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
