import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { BudgetStore, BudgetUpdate, UpdateOutcome } from './budget-store.js';
import { migrate } from './migrations.js';

const MEMORY = ':memory:';

/**
 * The budget store on SQLite: opens (creating if needed) the database at `path`, or an in-memory
 * one for `:memory:`, and migrates it.
 */
export function openSqliteBudgetStore(path: string): BudgetStore {
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

  const selectAmount = db.prepare<[string], { amount: string | null }>(
    'SELECT amount FROM budgets WHERE customer_id = ?',
  );
  const selectReplay = db.prepare<[string, string], { customer_id: string; amount: string | null; response: string }>(
    'SELECT customer_id, amount, response FROM replays WHERE partner_id = ? AND request_id = ?',
  );
  const upsert = db.prepare(
    `INSERT INTO budgets (customer_id, amount, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (customer_id) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at`,
  );
  const insertReplay = db.prepare(
    'INSERT INTO replays (partner_id, request_id, customer_id, amount, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const deleteReplays = db.prepare('DELETE FROM replays WHERE created_at < ?');
  const ping = db.prepare('SELECT 1');
  // Every table the migrations made, read once they ran: a table added later is cleared too.
  const dataTables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'",
    )
    .all()
    .map(({ name }) => name);
  const clearAll = db.transaction(() => {
    for (const table of dataTables) db.prepare(`DELETE FROM "${table}"`).run();
  });

  // The replay check, the update and its record commit together or not at all.
  const applyOnce = db.transaction((update: BudgetUpdate): UpdateOutcome => {
    if (update.requestId !== undefined) {
      const replay = selectReplay.get(update.partnerId, update.requestId);
      if (replay) {
        const same = replay.customer_id === update.customerId && replay.amount === update.amount;
        return same ? { kind: 'replayed', response: replay.response } : { kind: 'requestIdReused' };
      }
    }
    const now = Date.now();
    upsert.run(update.customerId, update.amount, now);
    if (update.requestId !== undefined) {
      insertReplay.run(update.partnerId, update.requestId, update.customerId, update.amount, update.response, now);
    }
    return { kind: 'applied', response: update.response };
  });

  return {
    readAmount: (customerId) => selectAmount.get(customerId)?.amount ?? null,
    update: (update) => applyOnce(update),
    pruneReplays: (maxAgeMs) => {
      deleteReplays.run(Date.now() - maxAgeMs);
    },
    clear: () => clearAll(),
    ping: () => {
      ping.get();
    },
    close: () => db.close(),
  };
}
