import type { Database } from 'better-sqlite3';
import type { BudgetStore, BudgetUpdate, UpdateOutcome } from './budget-store.js';
import { STANDING, type StandingRow, toStanding } from './rows.js';
import type { Synchronous } from './sqlite-gate.js';

/** The budget store's reads and writes on an open, migrated SQLite database. */
export function sqliteBudgets(db: Database): Synchronous<BudgetStore> {
  const selectAmount = db.prepare<[string, string], { amount: string | null }>(
    'SELECT amount FROM budgets WHERE partner_id = ? AND customer_id = ?',
  );
  const selectReplay = db.prepare<[string, string], { customer_id: string; amount: string | null; response: string }>(
    'SELECT customer_id, amount, response FROM replays WHERE partner_id = ? AND request_id = ?',
  );
  const upsert = db.prepare(
    `INSERT INTO budgets (customer_id, amount, updated_at, partner_id) VALUES (?, ?, ?, ?)
     ON CONFLICT (partner_id, customer_id) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at`,
  );
  const insertReplay = db.prepare(
    'INSERT INTO replays (partner_id, request_id, customer_id, amount, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const recordApply = db.prepare(
    'INSERT INTO budget_applies (partner_id, customer_id, request_id, amount, applied_at) VALUES (?, ?, ?, ?, ?)',
  );
  const deleteReplays = db.prepare('DELETE FROM replays WHERE created_at < ?');
  const selectStanding = db.prepare<[string, string], StandingRow>(
    `${STANDING} WHERE c.partner_id = ? AND c.customer_id = ? AND c.offer <> 'none'`,
  );

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
    upsert.run(update.customerId, update.amount, now, update.partnerId);
    recordApply.run(update.partnerId, update.customerId, update.requestId ?? null, update.amount, now);
    if (update.requestId !== undefined) {
      insertReplay.run(update.partnerId, update.requestId, update.customerId, update.amount, update.response, now);
    }
    const standing = selectStanding.get(update.partnerId, update.customerId);
    return { kind: 'applied', response: update.response, standing: standing && toStanding(standing) };
  });

  return {
    readAmount: (partnerId, customerId) => selectAmount.get(partnerId, customerId)?.amount ?? null,
    update: (update) => applyOnce(update),
    pruneReplays: (maxAgeMs) => {
      deleteReplays.run(Date.now() - maxAgeMs);
    },
  };
}
