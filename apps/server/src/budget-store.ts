import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export interface BudgetUpdate {
  readonly partnerId: string;
  /** The caller's MS-RequestId (lower case), or `undefined` when the server generated one: nothing to replay. */
  readonly requestId: string | undefined;
  readonly customerId: string;
  /** Canonical decimal text, or `null` to clear. */
  readonly amount: string | null;
  /** The response this update answers with, kept for replays. */
  readonly response: string;
}

/**
 * What an update did: applied it, or answered a replay of the same request with the recorded
 * response; or refused it because this request id already applied a different update.
 */
export type UpdateOutcome =
  | { readonly kind: 'applied' | 'replayed'; readonly response: string }
  | { readonly kind: 'requestIdReused' };

export interface BudgetStore {
  /** The amount's canonical decimal text, `null` when no budget is set. */
  readAmount(customerId: string): string | null;
  /**
   * Applies an update and records its response, atomically. When this partner already sent this
   * request id, applies nothing: the same customer and amount get the recorded response, anything
   * else is refused (answering it with another update's result would mislead the caller).
   */
  update(update: BudgetUpdate): UpdateOutcome;
  /** Forgets replay records older than `maxAgeMs`. */
  pruneReplays(maxAgeMs: number): void;
  /** Throws when the database cannot answer. */
  ping(): void;
  close(): void;
}

const MEMORY = ':memory:';

/** Opens (creating if needed) the SQLite database at `path`, or an in-memory one for `:memory:`, and migrates it. */
export function openBudgetStore(path: string): BudgetStore {
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
    ping: () => {
      ping.get();
    },
    close: () => db.close(),
  };
}
