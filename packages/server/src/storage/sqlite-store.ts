import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { memoryThrottle } from './memory-throttle.js';
import { migrate } from './migrations.js';
import { CONFIG_PARTNERS, partnerRowDeletes } from './rows.js';
import { sqliteBudgets } from './sqlite-budgets.js';
import { sqliteCustomers } from './sqlite-customers.js';
import { createGate, type Synchronous, settled } from './sqlite-gate.js';
import { sqliteSecrets } from './sqlite-secrets.js';
import { sqliteThresholds } from './sqlite-thresholds.js';
import { sqliteWebhooks } from './sqlite-webhooks.js';
import type { Store, StoreOperations } from './store.js';

const MEMORY = ':memory:';

/** Opens (creating if needed) the database at `path`, or an in-memory one for `:memory:`, for this server alone, and migrates it. */
function openDatabase(path: string): Database.Database {
  if (path !== MEMORY) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 1000 });
  try {
    // One server per database: holding the file's lock for good spares every statement the
    // lock/unlock system calls, and keeps the WAL index in memory; a second server fails at start.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL loses no committed transaction when the process dies (kill -9), only on
    // power loss; FULL would fsync every PATCH.
    db.pragma('synchronous = NORMAL');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    migrate(db);
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new Error(`${path} is in use by another process; a server needs its database to itself`);
    }
    throw error;
  }
  return db;
}

/**
 * The deletions of partners' rows (`partnerRowDeletes`) over every table with a `partner_id`
 * column, read once the migrations ran: a table added later is covered too.
 */
function partnerForgetter(db: Database.Database) {
  const partnerTables = db
    .prepare<[], string>(
      `SELECT m.name FROM sqlite_schema m JOIN pragma_table_info(m.name) c
       WHERE m.type = 'table' AND c.name = 'partner_id' ORDER BY m.name`,
    )
    .pluck()
    .all();
  const deletes = (where: string, what: 'everything' | 'data') =>
    partnerRowDeletes(partnerTables, where, what).map((text) => db.prepare(text));
  const config = deletes(CONFIG_PARTNERS, 'everything');
  const one = { everything: deletes('partner_id = ?', 'everything'), data: deletes('partner_id = ?', 'data') };
  return {
    clear: db.transaction(() => {
      for (const statement of config) statement.run();
    }),
    forget: db.transaction((partnerId: string, what: 'everything' | 'data') => {
      for (const statement of one[what]) statement.run(partnerId);
    }),
  };
}

/** `operations` with each call made through `run`, and a usage read's batches each read through it. */
function promised(operations: Synchronous<StoreOperations>, run: <R>(call: () => R) => Promise<R>): StoreOperations {
  const methods = Object.entries(operations) as [string, (...args: unknown[]) => unknown][];
  const calls = methods.map(([name, method]) => [name, (...args: unknown[]) => run(() => method(...args))]);
  return {
    ...(Object.fromEntries(calls) as Omit<StoreOperations, 'usageBatches'>),
    usageBatches: async function* (partnerId, batchSize) {
      const batches = operations.usageBatches(partnerId, batchSize)[Symbol.iterator]();
      try {
        for (;;) {
          const next = await run(() => batches.next());
          if (next.done) return;
          yield next.value;
        }
      } finally {
        batches.return?.();
      }
    },
  };
}

/**
 * The server's store on SQLite: opens (creating if needed) the database at `path`, or an in-memory
 * one for `:memory:`, and migrates it. Its parts are `sqlite-budgets.ts`, `sqlite-customers.ts`,
 * `sqlite-thresholds.ts` and `sqlite-webhooks.ts`, synchronous, made asynchronous here behind the
 * gate (`sqlite-gate.ts`): a transaction runs alone, and the store's other calls wait for it.
 */
export function openSqliteStore(path: string): Store {
  const db = openDatabase(path);
  const { forgetCounts, ...customers } = sqliteCustomers(db);
  const partners = partnerForgetter(db);
  const operations: Synchronous<StoreOperations> = {
    ...sqliteBudgets(db),
    ...customers,
    ...sqliteThresholds(db),
    ...sqliteWebhooks(db),
    ...sqliteSecrets(db),
    clear: () => {
      partners.clear();
      forgetCounts();
    },
    forgetPartner: (partnerId, what) => {
      partners.forget(partnerId, what);
      forgetCounts(partnerId);
    },
  };
  const gate = createGate();
  const statements = {
    ping: db.prepare('SELECT 1'),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
  };
  const ended = () => Promise.reject(new Error('the transaction has ended: use its tx only inside its work'));
  return {
    ...promised(operations, gate.run),
    // Not behind the gate: the buckets are in memory, and a request waits for no transaction to be throttled.
    ...memoryThrottle(),
    transaction: (work) =>
      gate.exclusive(async () => {
        let open = true;
        const tx = promised(operations, (call) => (open ? settled(call) : ended()));
        statements.begin.run();
        try {
          const result = await work(tx);
          statements.commit.run();
          return result;
        } catch (error) {
          if (db.inTransaction) statements.rollback.run();
          throw error;
        } finally {
          open = false;
        }
      }),
    watchWebhookEvents: () => ({ stop: async () => {} }),
    ping: () =>
      gate.run(() => {
        statements.ping.get();
      }),
    close: () =>
      gate.run(() => {
        db.close();
      }),
  };
}
