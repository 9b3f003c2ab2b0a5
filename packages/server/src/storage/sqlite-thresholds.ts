import type { Database } from 'better-sqlite3';
import { STANDING, type StandingRow, toStanding } from './rows.js';
import type { Synchronous } from './sqlite-gate.js';
import type { ThresholdStore } from './threshold-store.js';

/** The threshold store's reads and writes on an open, migrated SQLite database. */
export function sqliteThresholds(db: Database): Synchronous<ThresholdStore> {
  const one = db.prepare<[string], StandingRow>(`${STANDING} WHERE c.customer_id = ? AND c.offer <> 'none'`);
  const ofPartner = db.prepare<[string], StandingRow>(
    `${STANDING} WHERE c.partner_id = ? AND c.offer <> 'none' AND (b.amount IS NOT NULL OR x.customer_id IS NOT NULL)
     ORDER BY c.position`,
  );
  const upsertCrossing = db.prepare(
    `INSERT INTO budget_crossings (customer_id, billing_start, over_budget) VALUES (?, ?, ?)
     ON CONFLICT (customer_id) DO UPDATE SET billing_start = excluded.billing_start, over_budget = excluded.over_budget`,
  );
  const updateCost = db.prepare(
    "UPDATE customers SET total_cost = ?, usd_total_cost = ?, last_modified = ? WHERE customer_id = ? AND offer <> 'none'",
  );
  return {
    usageStanding: (customerId) => {
      const row = one.get(customerId);
      return row && toStanding(row);
    },
    usageStandings: (partnerId) => ofPartner.all(partnerId).map(toStanding),
    recordCrossing: (customerId, crossing) => {
      upsertCrossing.run(customerId, crossing.billingStart, crossing.overBudget ? 1 : 0);
    },
    setUsageCost: (customerId, cost) => {
      updateCost.run(cost.cost, cost.usdCost ?? null, cost.lastModified, customerId);
    },
  };
}
