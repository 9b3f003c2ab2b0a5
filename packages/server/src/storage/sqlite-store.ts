import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';
import { sqliteBudgets } from './sqlite-budgets.js';
import { sqliteCustomers } from './sqlite-customers.js';
import { sqliteThresholds } from './sqlite-thresholds.js';
import { sqliteWebhooks } from './sqlite-webhooks.js';
import type { Store } from './store.js';

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

/** Deletes every row of every table the migrations made (read once they ran: a table added later is cleared too). */
function tableClearer(db: Database.Database): () => void {
  const dataTables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'",
    )
    .all()
    .map(({ name }) => name);
  return db.transaction(() => {
    for (const table of dataTables) db.prepare(`DELETE FROM "${table}"`).run();
  });
}

/**
 * The server's store on SQLite: opens (creating if needed) the database at `path`, or an in-memory
 * one for `:memory:`, and migrates it. Its parts are `sqlite-budgets.ts`, `sqlite-customers.ts`,
 * `sqlite-thresholds.ts` and `sqlite-webhooks.ts`.
 */
export function openSqliteStore(path: string): Store {
  const db = openDatabase(path);
  const { forgetCounts, ...customers } = sqliteCustomers(db);
  const clearTables = tableClearer(db);
  const ping = db.prepare('SELECT 1');
  return {
    ...sqliteBudgets(db),
    ...customers,
    ...sqliteThresholds(db),
    ...sqliteWebhooks(db),
    transaction: (work) => db.transaction(work)(),
    clear: () => {
      clearTables();
      forgetCounts();
    },
    ping: () => {
      ping.get();
    },
    close: () => db.close(),
  };
}
