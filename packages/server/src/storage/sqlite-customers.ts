import type { Database, Statement } from 'better-sqlite3';
import type { TokenKind } from '../partners/config-format.js';
import type { CustomerField, CustomerStore, CustomerUsage, PortfolioSeed } from './customer-store.js';
import type { NamespaceSeed, NamespaceStore } from './namespace-store.js';
import type { Synchronous } from './sqlite-gate.js';

/** Customers per batch of a usage read: a few milliseconds of work each. */
const USAGE_BATCH = 128;

import {
  CUSTOMER_COLUMNS,
  type CustomerRow,
  customerValues,
  FOLDED,
  type PartnerRow,
  toCustomerRecord,
  toPartnerRecord,
} from './rows.js';

/** The reads of partners and customers (each customer with its budget). */
function customerQueries(db: Database) {
  const fromCustomers = `SELECT ${CUSTOMER_COLUMNS} FROM customers c LEFT JOIN budgets b USING (partner_id, customer_id)`;
  return {
    partner: db.prepare<[string], PartnerRow>('SELECT * FROM partners WHERE partner_id = ?'),
    customer: db.prepare<[string, string], CustomerRow>(
      `${fromCustomers} WHERE c.partner_id = ? AND c.customer_id = ?`,
    ),
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
      `SELECT ${CUSTOMER_COLUMNS}, c.position FROM customers c LEFT JOIN budgets b USING (partner_id, customer_id)
       WHERE c.partner_id = ? AND c.position > ? AND c.offer <> 'none' ORDER BY c.position LIMIT ?`,
    ),
    usageCount: db
      .prepare<[string], number>("SELECT count(*) FROM customers WHERE partner_id = ? AND offer <> 'none'")
      .pluck(),
  };
}

/** The inserts of a partner and its customers, and the seeds of their budgets; `position` continues after `first`. */
function partnerInserts(db: Database) {
  const insertPartner = db.prepare(
    `INSERT INTO partners (partner_id, name, billing_start, billing_end, currency_locale, origin, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertCustomer = db.prepare(
    `INSERT INTO customers (customer_id, partner_id, position, company_name, domain, relationship,
       associated_partner_id, indirect_provider, offer, currency, total_cost, usd_total_cost, last_modified,
       company_name_folded, domain_folded, associated_partner_id_folded, indirect_provider_folded)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const seedBudget = db.prepare(
    `INSERT INTO budgets (customer_id, amount, updated_at, partner_id) VALUES (?, ?, ?, ?)
     ON CONFLICT (partner_id, customer_id) DO NOTHING`,
  );
  const lastPosition = db
    .prepare<[string], number | null>('SELECT max(position) FROM customers WHERE partner_id = ?')
    .pluck();
  const customers = (partner: PortfolioSeed) => {
    const now = Date.now();
    const first = (lastPosition.get(partner.id) ?? -1) + 1;
    partner.customers.forEach((customer, index) => {
      insertCustomer.run(...customerValues(customer, partner.id, first + index));
      if (customer.budget !== null) seedBudget.run(customer.id, customer.budget, now, partner.id);
    });
  };
  return {
    partner: (partner: PortfolioSeed, origin: 'config' | 'namespace', expiresAt: number | null) => {
      insertPartner.run(
        partner.id,
        partner.name,
        partner.billingStart,
        partner.billingEnd,
        partner.currencyLocale,
        origin,
        expiresAt,
      );
      customers(partner);
    },
    customers,
  };
}

/** The seed of the config's partners (a namespace's stay), and the making of namespaces, each in one transaction. */
function seedTransactions(db: Database) {
  const insert = partnerInserts(db);
  const deleteConfigCustomers = db.prepare(
    "DELETE FROM customers WHERE partner_id NOT IN (SELECT partner_id FROM partners WHERE origin = 'namespace')",
  );
  const deleteConfigPartners = db.prepare("DELETE FROM partners WHERE origin = 'config'");
  const countNamespaces = db.prepare<[], number>("SELECT count(*) FROM partners WHERE origin = 'namespace'").pluck();
  const insertToken = db.prepare('INSERT INTO partner_tokens (token_sha256, partner_id, kind) VALUES (?, ?, ?)');
  const seed = db.transaction((portfolio: readonly PortfolioSeed[]) => {
    deleteConfigCustomers.run();
    deleteConfigPartners.run();
    for (const partner of portfolio) insert.partner(partner, 'config', null);
  });
  const create = db.transaction((namespace: NamespaceSeed, maxNamespaces: number): 'created' | 'full' => {
    if ((countNamespaces.get() ?? 0) >= maxNamespaces) return 'full';
    insert.partner(namespace.partner, 'namespace', namespace.expiresAt);
    for (const token of namespace.tokens) insertToken.run(token.sha256, namespace.partner.id, token.kind);
    return 'created';
  });
  return {
    seed: (portfolio: readonly PortfolioSeed[]) => seed.immediate(portfolio),
    create: (namespace: NamespaceSeed, maxNamespaces: number) => create.immediate(namespace, maxNamespaces),
    customers: db.transaction(insert.customers),
  };
}

/** The namespaces' reads. */
function namespaceQueries(db: Database) {
  return {
    byToken: db.prepare<[string], { partner_id: string; kind: TokenKind; expires_at: number }>(
      `SELECT t.partner_id, t.kind, p.expires_at FROM partner_tokens t JOIN partners p USING (partner_id)
       WHERE t.token_sha256 = ? AND p.origin = 'namespace'`,
    ),
    one: db.prepare<[string], { partner_id: string; name: string; expires_at: number; customers: number }>(
      `SELECT p.partner_id, p.name, p.expires_at, (SELECT count(*) FROM customers c WHERE c.partner_id = p.partner_id) AS customers
       FROM partners p WHERE p.partner_id = ? AND p.origin = 'namespace'`,
    ),
    expired: db
      .prepare<[number, number], string>(
        "SELECT partner_id FROM partners WHERE expires_at <= ? AND origin = 'namespace' ORDER BY expires_at LIMIT ?",
      )
      .pluck(),
  };
}

/**
 * The customer store on an open, migrated SQLite database; `forgetCounts()` drops what it keeps
 * in memory, for when the tables are emptied under it.
 */
export function sqliteCustomers(
  db: Database,
): Synchronous<CustomerStore & NamespaceStore> & { forgetCounts(partnerId?: string): void } {
  const queries = customerQueries(db);
  const seeds = seedTransactions(db);
  const namespaces = namespaceQueries(db);
  // Customers change only with a seed, and counting 50,000 of them reads every row (70 ms): each
  // partner's count is kept from its seed, or from its first count, until the next seed, clear or
  // reset of it.
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
      seeds.seed(portfolio);
      usageCounts.clear();
      for (const partner of portfolio) {
        usageCounts.set(partner.id, partner.customers.filter(({ usage }) => usage !== undefined).length);
      }
    },
    createNamespace: (namespace, maxNamespaces) => seeds.create(namespace, maxNamespaces),
    seedCustomers: (partner) => {
      seeds.customers(partner);
      usageCounts.delete(partner.id);
    },
    namespaceByToken: (sha256) => {
      const row = namespaces.byToken.get(sha256);
      return row && { partnerId: row.partner_id, kind: row.kind, expiresAt: row.expires_at };
    },
    namespace: (partnerId) => {
      const row = namespaces.one.get(partnerId);
      return row && { id: row.partner_id, name: row.name, expiresAt: row.expires_at, customerCount: row.customers };
    },
    expiredNamespaces: (now, limit) => namespaces.expired.all(now, limit),
    partner: (partnerId) => {
      const row = queries.partner.get(partnerId);
      return row && toPartnerRecord(row);
    },
    listCustomers: (partnerId, filter, offset, limit) =>
      (filter
        ? queries.filteredPage[filter.field].all(partnerId, filter.prefix.toLowerCase(), limit, offset)
        : queries.page.all(partnerId, limit, offset)
      ).map(toCustomerRecord),
    customer: (partnerId, customerId) => {
      const row = queries.customer.get(partnerId, customerId);
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
    forgetCounts: (partnerId) => (partnerId === undefined ? usageCounts.clear() : usageCounts.delete(partnerId)),
  };
}
