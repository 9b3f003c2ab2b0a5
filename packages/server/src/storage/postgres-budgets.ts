import type { BudgetStore, UpdateOutcome } from './budget-store.js';
import type { Sql } from './postgres-sql.js';
import { type StandingRow, toStanding } from './rows.js';

/** A row of `apply_budget` (migration 4): the replay found, or the standing of the customer updated (null columns without one). */
type AppliedRow =
  | ({
      kind: 'replayed';
      replay_customer: string;
      replay_amount: string | null;
      replay_response: string;
    } & Nullable<StandingRow>)
  | ({ kind: 'applied'; customer_id: null } & Nullable<Omit<StandingRow, 'customer_id'>>)
  | ({ kind: 'applied' } & StandingRow);
type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * The budget store on PostgreSQL. An update is one statement, `apply_budget` (a function of
 * migration 4), so a PATCH is 3 round trips (`BEGIN`, it, `COMMIT`) where it was 7. It claims the
 * request id first (the replay record's primary key), so that a second transaction with the same
 * `MS-RequestId`, on any replica, waits for the first and then finds it: one apply, the other a
 * replay. Then it locks the customer's row, which serializes a budget change with a cost change of
 * the same customer (one crossing, one event), sets the budget, records the apply, and reads the
 * standing once the lock is held.
 */
export function postgresBudgets(sql: Sql): BudgetStore {
  return {
    readAmount: async (partnerId, customerId) => {
      const [row] = await sql.rows<{ amount: string | null }>(
        'SELECT amount FROM budgets WHERE partner_id = $1 AND customer_id = $2',
        [partnerId, customerId],
      );
      return row?.amount ?? null;
    },
    update: (update) =>
      sql.atomic(async (tx): Promise<UpdateOutcome> => {
        const { partnerId, requestId, customerId, amount, response } = update;
        const [row] = await tx.rows<AppliedRow>('SELECT * FROM apply_budget($1, $2, $3, $4, $5, $6)', [
          partnerId,
          requestId ?? null,
          customerId,
          amount,
          response,
          Date.now(),
        ]);
        if (!row) throw new Error(`the replay record of ${requestId} went away while it was read`);
        if (row.kind === 'applied') {
          return { kind: 'applied', response, standing: row.customer_id === null ? undefined : toStanding(row) };
        }
        const same = row.replay_customer === customerId && row.replay_amount === amount;
        return same ? { kind: 'replayed', response: row.replay_response } : { kind: 'requestIdReused' };
      }),
    pruneReplays: async (maxAgeMs) => {
      await sql.run('DELETE FROM replays WHERE created_at < $1', [Date.now() - maxAgeMs]);
    },
  };
}
