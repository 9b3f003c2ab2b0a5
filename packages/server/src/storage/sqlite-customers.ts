import type { Database, Statement } from 'better-sqlite3';
import type { CustomerField, CustomerStore, CustomerUsage, PortfolioSeed } from './customer-store.js';
import type { Synchronous } from './sqlite-gate.js';

/** Customers per batch of a usage read: a few milliseconds of work each. */
const USAGE_BATCH = 128;

import {
  CUSTOMER_COLUMNS,
  type CustomerRow,
  FOLDED,
  fold,
  type PartnerRow,
  toCustomerRecord,
  toPartnerRecord,
} from './rows.js';

/** The reads of partners and customers (each customer with its budget). */
function customerQueries(db: Database) {
  const fromCustomers = `SELECT ${CUSTOMER_COLUMNS} FROM customers c LEFT JOIN budgets b USING (customer_id)`;
  return {
    partner: db.prepare<[string], PartnerRow>('SELECT * FROM partners WHERE partner_id = ?'),
    customer: db.prepare<[string], CustomerRow>(`${fromCustomers} WHERE c.customer_id = ?`),
    page: db.prepare<[string, number, number], CustomerRow>(
      `${fromCustomers} WHERE c.partner_id = ? ORDER BY c.position LIMIT ? OFFSET ?`,
    ),
    filteredPage: Object.fromEntries(
      Object.entries(FOLDED).map(([field, column]) => [
        field,
        db.prepare<[string, string, number, number], CustomerRow>(
          `${fromCustomers} WHERE c.partner_id = ? AND instr(c.${column}, ?) = 1 ORDER BY c.position LIMIT ? OFFSET ?`,
        ),
      ]),
    ) as Record<CustomerField, Statement<[string, string, number, number], CustomerRow>>,
    // Keyset paging on (partner_id, position), the listing order's index: each batch starts where
    // the last ended without counting the rows before it.
    usageAfter: db.prepare<[string, number, number], CustomerRow & { position: number }>(
      `SELECT ${CUSTOMER_COLUMNS}, c.position FROM customers c LEFT JOIN budgets b USING (customer_id)
       WHERE c.partner_id = ? AND c.position > ? AND c.offer <> 'none' ORDER BY c.position LIMIT ?`,
    ),
    usageCount: db
      .prepare<[string], number>("SELECT count(*) FROM customers WHERE partner_id = ? AND offer <> 'none'")
      .pluck(),
  };
}

/** Replaces the partners and customers with a portfolio's, in one transaction; budgets only where none is recorded. */
function seedTransaction(db: Database): (portfolio: readonly PortfolioSeed[]) => void {
  const deletePartners = db.prepare('DELETE FROM partners');
  const deleteCustomers = db.prepare('DELETE FROM customers');
  const insertPartner = db.prepare(
    'INSERT INTO partners (partner_id, name, billing_start, billing_end, currency_locale) VALUES (?, ?, ?, ?, ?)',
  );
  const insertCustomer = db.prepare(
    `INSERT INTO customers (customer_id, partner_id, position, company_name, domain, relationship,
       associated_partner_id, indirect_provider, offer, currency, total_cost, usd_total_cost, last_modified,
       company_name_folded, domain_folded, associated_partner_id_folded, indirect_provider_folded)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const seedBudget = db.prepare(
    'INSERT INTO budgets (customer_id, amount, updated_at) VALUES (?, ?, ?) ON CONFLICT (customer_id) DO NOTHING',
  );
  const seed = db.transaction((portfolio: readonly PortfolioSeed[]) => {
    deleteCustomers.run();
    deletePartners.run();
    const now = Date.now();
    for (const partner of portfolio) {
      insertPartner.run(partner.id, partner.name, partner.billingStart, partner.billingEnd, partner.currencyLocale);
      partner.customers.forEach((customer, position) => {
        const { usage } = customer;
        insertCustomer.run(
          customer.id,
          partner.id,
          position,
          customer.companyName,
          customer.domain,
          customer.relationship,
          customer.associatedPartnerId ?? null,
          customer.indirectProvider ?? null,
          usage?.offer ?? 'none',
          usage?.currency ?? null,
          usage?.cost ?? null,
          usage?.usdCost ?? null,
          usage?.lastModified ?? null,
          customer.companyName.toLowerCase(),
          customer.domain.toLowerCase(),
          fold(customer.associatedPartnerId),
          fold(customer.indirectProvider),
        );
        if (customer.budget !== null) seedBudget.run(customer.id, customer.budget, now);
      });
    }
  });
  return (portfolio) => seed.immediate(portfolio);
}

/**
 * The customer store on an open, migrated SQLite database; `forgetCounts()` drops what it keeps
 * in memory, for when the tables are emptied under it.
 */
export function sqliteCustomers(db: Database): Synchronous<CustomerStore> & { forgetCounts(): void } {
  const queries = customerQueries(db);
  const seed = seedTransaction(db);
  // Customers change only with a seed, and counting 50,000 of them reads every row (70 ms): each
  // partner's count is kept from its seed, or from its first count, until the next seed or clear.
  const usageCounts = new Map<string, number>();
  function* usageBatches(partnerId: string, batchSize: number): Generator<CustomerUsage[], void, undefined> {
    let after = -1;
    for (;;) {
      const rows = queries.usageAfter.all(partnerId, after, batchSize);
      if (rows.length === 0) return;
      yield rows.map((row) => ({ customer: toCustomerRecord(row), budget: row.amount }) as CustomerUsage);
      if (rows.length < batchSize) return;
      after = (rows.at(-1) as { position: number }).position;
    }
  }

  return {
    seed: (portfolio) => {
      seed(portfolio);
      usageCounts.clear();
      for (const partner of portfolio) {
        usageCounts.set(partner.id, partner.customers.filter(({ usage }) => usage !== undefined).length);
      }
    },
    partner: (partnerId) => {
      const row = queries.partner.get(partnerId);
      return row && toPartnerRecord(row);
    },
    listCustomers: (partnerId, filter, offset, limit) =>
      (filter
        ? queries.filteredPage[filter.field].all(partnerId, filter.prefix.toLowerCase(), limit, offset)
        : queries.page.all(partnerId, limit, offset)
      ).map(toCustomerRecord),
    customer: (customerId) => {
      const row = queries.customer.get(customerId);
      return row && { customer: toCustomerRecord(row), budget: row.amount };
    },
    usageCount: (partnerId) => {
      let count = usageCounts.get(partnerId);
      if (count === undefined) {
        count = queries.usageCount.get(partnerId) ?? 0;
        usageCounts.set(partnerId, count);
      }
      return count;
    },
    usageBatches: (partnerId, batchSize = USAGE_BATCH) => usageBatches(partnerId, batchSize),
    forgetCounts: () => usageCounts.clear(),
  };
}
