import type { Sql } from './postgres-sql.js';
import { STANDING, type StandingRow, toStanding } from './rows.js';
import type { ThresholdStore } from './threshold-store.js';

/**
 * The threshold store on PostgreSQL. A customer's standing is read with its row locked (in the
 * transaction of the change that is evaluated), so two changes of one customer are evaluated one
 * after the other, each seeing the crossing the other recorded.
 */
export function postgresThresholds(sql: Sql): ThresholdStore {
  return {
    usageStanding: async (partnerId, customerId) => {
      const [row] = await sql.rows<StandingRow>(
        `${STANDING} WHERE c.partner_id = $1 AND c.customer_id = $2 AND c.offer <> 'none' FOR UPDATE OF c`,
        [partnerId, customerId],
      );
      return row && toStanding(row);
    },
    usageStandings: async (partnerId) =>
      (
        await sql.rows<StandingRow>(
          `${STANDING} WHERE c.partner_id = $1 AND c.offer <> 'none'
             AND (b.amount IS NOT NULL OR x.customer_id IS NOT NULL) ORDER BY c.position`,
          [partnerId],
        )
      ).map(toStanding),
    recordCrossing: async (partnerId, customerId, crossing) => {
      await sql.run(
        `INSERT INTO budget_crossings (customer_id, billing_start, over_budget, partner_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (partner_id, customer_id) DO UPDATE
           SET billing_start = excluded.billing_start, over_budget = excluded.over_budget`,
        [customerId, crossing.billingStart, crossing.overBudget ? 1 : 0, partnerId],
      );
    },
    setUsageCost: async (partnerId, customerId, cost) => {
      await sql.run(
        `UPDATE customers SET total_cost = $1, usd_total_cost = $2, last_modified = $3
         WHERE partner_id = $4 AND customer_id = $5 AND offer <> 'none'`,
        [cost.cost, cost.usdCost ?? null, cost.lastModified, partnerId, customerId],
      );
    },
  };
}
