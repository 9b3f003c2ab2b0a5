import type { Database } from 'better-sqlite3';
import type { Synchronous } from './sqlite-gate.js';
import type { ThresholdStore, UsageStanding } from './threshold-store.js';

interface StandingRow {
  customer_id: string;
  partner_id: string;
  billing_start: string;
  offer: 'azurePlan' | 'legacy';
  currency: string | null;
  total_cost: string | null;
  usd_total_cost: string | null;
  last_modified: string | null;
  amount: string | null;
  crossing_start: string | null;
  over_budget: number | null;
}

const toStanding = (row: StandingRow): UsageStanding => ({
  customerId: row.customer_id,
  partnerId: row.partner_id,
  billingStart: row.billing_start,
  usage: {
    offer: row.offer,
    currency: row.currency ?? '',
    cost: row.total_cost ?? '0',
    usdCost: row.usd_total_cost ?? undefined,
    lastModified: row.last_modified ?? '',
  },
  budget: row.amount,
  crossing:
    row.crossing_start === null ? undefined : { billingStart: row.crossing_start, overBudget: row.over_budget === 1 },
});

const STANDING = `SELECT c.customer_id, c.partner_id, p.billing_start, c.offer, c.currency, c.total_cost, c.usd_total_cost,
    c.last_modified, b.amount, x.billing_start AS crossing_start, x.over_budget
  FROM customers c JOIN partners p USING (partner_id) LEFT JOIN budgets b USING (customer_id)
    LEFT JOIN budget_crossings x USING (customer_id)`;

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
