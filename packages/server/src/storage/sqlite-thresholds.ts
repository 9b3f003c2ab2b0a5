import type { Database } from 'better-sqlite3';
import { STANDING, type StandingRow, toStanding } from './rows.js';
import type { Synchronous } from './sqlite-gate.js';
import type { ThresholdStore } from './threshold-store.js';

/** The threshold store's reads and writes on an open, migrated SQLite database. */
export function sqliteThresholds(db: Database): Synchronous<ThresholdStore> {
  const one = db.prepare<[string, string], StandingRow>(
    `${STANDING} WHERE c.partner_id = ? AND c.customer_id = ? AND c.offer <> 'none'`,
  );
  const ofPartner = db.prepare<[string], StandingRow>(
    `${STANDING} WHERE c.partner_id = ? AND c.offer <> 'none' AND (b.amount IS NOT NULL OR x.customer_id IS NOT NULL)
     ORDER BY c.position`,
  );
  const upsertCrossing = db.prepare(
    `INSERT INTO budget_crossings (customer_id, billing_start, over_budget, partner_id) VALUES (?, ?, ?, ?)
     ON CONFLICT (partner_id, customer_id) DO UPDATE SET billing_start = excluded.billing_start, over_budget = excluded.over_budget`,
  );
  const updateCost = db.prepare(
    "UPDATE customers SET total_cost = ?, usd_total_cost = ?, last_modified = ? WHERE partner_id = ? AND customer_id = ? AND offer <> 'none'",
  );
  return {
    usageStanding: (partnerId, customerId) => {
      const row = one.get(partnerId, customerId);
      return row && toStanding(row);
    },
    usageStandings: (partnerId) => ofPartner.all(partnerId).map(toStanding),
    recordCrossing: (partnerId, customerId, crossing) => {
      upsertCrossing.run(customerId, crossing.billingStart, crossing.overBudget ? 1 : 0, partnerId);
    },
    setUsageCost: (partnerId, customerId, cost) => {
      updateCost.run(cost.cost, cost.usdCost ?? null, cost.lastModified, partnerId, customerId);
    },
  };
}
