import type { BudgetStore, UpdateOutcome } from './budget-store.js';
import type { Sql } from './postgres-sql.js';

/**
 * The budget store on PostgreSQL. An update claims its request id first (the replay record's
 * primary key), so that a second transaction with the same `MS-RequestId`, on any replica, waits
 * for the first and then finds it: one apply, the other a replay. Then it locks the customer's
 * row, which serializes a budget change with a cost change of the same customer (one crossing,
 * one event).
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
        const now = Date.now();
        const { partnerId, requestId, customerId, amount, response } = update;
        if (requestId !== undefined) {
          const claimed = await tx.run(
            `INSERT INTO replays (partner_id, request_id, customer_id, amount, response, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (partner_id, request_id) DO NOTHING`,
            [partnerId, requestId, customerId, amount, response, now],
          );
          if (claimed === 0) {
            const [replay] = await tx.rows<{ customer_id: string; amount: string | null; response: string }>(
              'SELECT customer_id, amount, response FROM replays WHERE partner_id = $1 AND request_id = $2',
              [partnerId, requestId],
            );
            if (!replay) throw new Error(`the replay record of ${requestId} went away while it was read`);
            const same = replay.customer_id === customerId && replay.amount === amount;
            return same ? { kind: 'replayed', response: replay.response } : { kind: 'requestIdReused' };
          }
        }
        await tx.run('SELECT 1 FROM customers WHERE partner_id = $1 AND customer_id = $2 FOR UPDATE', [
          partnerId,
          customerId,
        ]);
        await tx.run(
          `INSERT INTO budgets (customer_id, amount, updated_at, partner_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (partner_id, customer_id) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at`,
          [customerId, amount, now, partnerId],
        );
        await tx.run(
          'INSERT INTO budget_applies (partner_id, customer_id, request_id, amount, applied_at) VALUES ($1, $2, $3, $4, $5)',
          [partnerId, customerId, requestId ?? null, amount, now],
        );
        return { kind: 'applied', response };
      }),
    pruneReplays: async (maxAgeMs) => {
      await sql.run('DELETE FROM replays WHERE created_at < $1', [Date.now() - maxAgeMs]);
    },
  };
}
