import type { BudgetStore, BudgetUpdate, QuietUpdate, UpdateOutcome } from './budget-store.js';
import type { Sql } from './postgres-sql.js';
import { type StandingRow, toStanding } from './rows.js';
import type { UsageStanding } from './threshold-store.js';

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
        const [row] = await tx.rows<AppliedRow>(APPLY, applyValues(update, null));
        return outcomeOf(update, row, (applied) => (applied === null ? undefined : toStanding(applied)));
      }),
    pruneReplays: async (maxAgeMs) => {
      await sql.run('DELETE FROM replays WHERE created_at < $1', [Date.now() - maxAgeMs]);
    },
  };
}

const APPLY = 'SELECT * FROM apply_budget($1, $2, $3, $4, $5, $6, $7)';

function applyValues(update: BudgetUpdate, expect: string | null): unknown[] {
  const { partnerId, requestId, customerId, amount, response } = update;
  return [partnerId, requestId ?? null, customerId, amount, response, Date.now(), expect];
}

/** What a row of `apply_budget` says; `standing` reads an applied one's standing (`null`: none returned). */
function outcomeOf(
  update: BudgetUpdate,
  row: AppliedRow | undefined,
  standing: (row: StandingRow | null) => UsageStanding | undefined,
): UpdateOutcome {
  if (!row) throw new Error(`the replay record of ${update.requestId} went away while it was read`);
  if (row.kind === 'applied') {
    return { kind: 'applied', response: update.response, standing: standing(row.customer_id === null ? null : row) };
  }
  const same = row.replay_customer === update.customerId && row.replay_amount === update.amount;
  return same ? { kind: 'replayed', response: row.replay_response } : { kind: 'requestIdReused' };
}

/** The SQLSTATE `apply_budget` raises when the standing's version is no longer the one given. */
const STANDING_CHANGED = 'UB409';

/**
 * A budget update as one statement, committed on its own, when the threshold has nothing to do
 * (see `QuietUpdate`). The standing is read first, with no lock; when `quiet` says the standing
 * the update would leave needs no crossing recorded nor raised, `apply_budget` applies it with
 * that standing's version: once the customer's row is locked, a standing that changed meanwhile
 * (a cost, a crossing, a billing period) makes it raise and apply nothing, and the update goes
 * the transaction's way. So the customer's row is locked from inside the database to its commit
 * only, never across a round trip to this process: concurrent PATCHes of one customer no longer
 * queue behind this process's event loop.
 */
export function postgresQuietUpdate(sql: Sql): QuietUpdate {
  return async (update, quiet) => {
    const [read] = await sql.rows<StandingRow & { version: string }>('SELECT * FROM budget_standing($1, $2)', [
      update.partnerId,
      update.customerId,
    ]);
    const after = read === undefined ? undefined : { ...toStanding(read), budget: update.amount };
    if (!quiet(after)) return undefined;
    try {
      const [row] = await sql.rows<AppliedRow>(APPLY, applyValues(update, read?.version ?? 'none'));
      return outcomeOf(update, row, () => after);
    } catch (error) {
      if ((error as { code?: unknown }).code === STANDING_CHANGED) return undefined;
      throw error;
    }
  };
}
