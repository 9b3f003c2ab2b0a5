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
    usageStanding: async (customerId) => {
      const [row] = await sql.rows<StandingRow>(
        `${STANDING} WHERE c.customer_id = $1 AND c.offer <> 'none' FOR UPDATE OF c`,
        [customerId],
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
    recordCrossing: async (customerId, crossing) => {
      await sql.run(
        `INSERT INTO budget_crossings (customer_id, billing_start, over_budget) VALUES ($1, $2, $3)
         ON CONFLICT (customer_id) DO UPDATE SET billing_start = excluded.billing_start, over_budget = excluded.over_budget`,
        [customerId, crossing.billingStart, crossing.overBudget ? 1 : 0],
      );
    },
    setUsageCost: async (customerId, cost) => {
      await sql.run(
        "UPDATE customers SET total_cost = $1, usd_total_cost = $2, last_modified = $3 WHERE customer_id = $4 AND offer <> 'none'",
        [cost.cost, cost.usdCost ?? null, cost.lastModified, customerId],
      );
    },
  };
}
