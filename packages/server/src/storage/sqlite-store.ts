import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { BudgetStore, BudgetUpdate, UpdateOutcome } from './budget-store.js';
import type {
  CustomerField,
  CustomerRecord,
  CustomerStore,
  CustomerUsage,
  PartnerRecord,
  PortfolioSeed,
} from './customer-store.js';
import { migrate } from './migrations.js';

const MEMORY = ':memory:';
/** Customers per batch of a usage read: a few milliseconds of work each. */
const USAGE_BATCH = 128;

/** Everything the server keeps. */
export interface Store extends BudgetStore, CustomerStore {
  /** Deletes every stored row (whatever tables the migrations made): the test controls' reset. */
  clear(): void;
}

interface CustomerRow {
  customer_id: string;
  company_name: string;
  domain: string;
  relationship: string;
  associated_partner_id: string | null;
  indirect_provider: string | null;
  offer: 'azurePlan' | 'legacy' | 'none';
  currency: string | null;
  total_cost: string | null;
  usd_total_cost: string | null;
  last_modified: string | null;
  amount: string | null;
}

interface PartnerRow {
  partner_id: string;
  name: string;
  billing_start: string;
  billing_end: string;
  currency_locale: string;
}

function toCustomerRecord(row: CustomerRow): CustomerRecord {
  return {
    id: row.customer_id,
    companyName: row.company_name,
    domain: row.domain,
    relationship: row.relationship,
    associatedPartnerId: row.associated_partner_id ?? undefined,
    indirectProvider: row.indirect_provider ?? undefined,
    usage:
      row.offer === 'none'
        ? undefined
        : {
            offer: row.offer,
            currency: row.currency ?? '',
            cost: row.total_cost ?? '0',
            usdCost: row.usd_total_cost ?? undefined,
            lastModified: row.last_modified ?? '',
          },
  };
}

/** The folded column of each filterable field; a fixed list, so no request text reaches the SQL. */
const FOLDED: Readonly<Record<CustomerField, string>> = {
  companyName: 'company_name_folded',
  domain: 'domain_folded',
  associatedPartnerId: 'associated_partner_id_folded',
  indirectProvider: 'indirect_provider_folded',
};

const fold = (value: string | undefined) => (value === undefined ? null : value.toLowerCase());

/**
 * The server's store on SQLite: opens (creating if needed) the database at `path`, or an in-memory
 * one for `:memory:`, and migrates it.
 */
export function openSqliteStore(path: string): Store {
  if (path !== MEMORY) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 1000 });
  try {
    // One server per database: holding the file's lock for good spares every statement the
    // lock/unlock system calls, and keeps the WAL index in memory; a second server fails at start.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL loses no committed transaction when the process dies (kill -9), only on
    // power loss; FULL would fsync every PATCH.
    db.pragma('synchronous = NORMAL');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    migrate(db);
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new Error(`${path} is in use by another process; a server needs its database to itself`);
    }
    throw error;
  }

  const selectAmount = db.prepare<[string], { amount: string | null }>(
    'SELECT amount FROM budgets WHERE customer_id = ?',
  );
  const selectReplay = db.prepare<[string, string], { customer_id: string; amount: string | null; response: string }>(
    'SELECT customer_id, amount, response FROM replays WHERE partner_id = ? AND request_id = ?',
  );
  const upsert = db.prepare(
    `INSERT INTO budgets (customer_id, amount, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (customer_id) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at`,
  );
  const insertReplay = db.prepare(
    'INSERT INTO replays (partner_id, request_id, customer_id, amount, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const recordApply = db.prepare(
    'INSERT INTO budget_applies (partner_id, customer_id, request_id, amount, applied_at) VALUES (?, ?, ?, ?, ?)',
  );
  const deleteReplays = db.prepare('DELETE FROM replays WHERE created_at < ?');
  const ping = db.prepare('SELECT 1');
  // Every table the migrations made, read once they ran: a table added later is cleared too.
  const dataTables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'",
    )
    .all()
    .map(({ name }) => name);
  const clearAll = db.transaction(() => {
    for (const table of dataTables) db.prepare(`DELETE FROM "${table}"`).run();
  });

  // The replay check, the update and its record commit together or not at all.
  const applyOnce = db.transaction((update: BudgetUpdate): UpdateOutcome => {
    if (update.requestId !== undefined) {
      const replay = selectReplay.get(update.partnerId, update.requestId);
      if (replay) {
        const same = replay.customer_id === update.customerId && replay.amount === update.amount;
        return same ? { kind: 'replayed', response: replay.response } : { kind: 'requestIdReused' };
      }
    }
    const now = Date.now();
    upsert.run(update.customerId, update.amount, now);
    recordApply.run(update.partnerId, update.customerId, update.requestId ?? null, update.amount, now);
    if (update.requestId !== undefined) {
      insertReplay.run(update.partnerId, update.requestId, update.customerId, update.amount, update.response, now);
    }
    return { kind: 'applied', response: update.response };
  });

  const CUSTOMER_COLUMNS = `c.customer_id, c.company_name, c.domain, c.relationship, c.associated_partner_id,
    c.indirect_provider, c.offer, c.currency, c.total_cost, c.usd_total_cost, c.last_modified, b.amount`;
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
  const selectPartner = db.prepare<[string], PartnerRow>('SELECT * FROM partners WHERE partner_id = ?');
  const selectCustomer = db.prepare<[string], CustomerRow>(
    `SELECT ${CUSTOMER_COLUMNS} FROM customers c LEFT JOIN budgets b USING (customer_id) WHERE c.customer_id = ?`,
  );
  const selectPage = db.prepare<[string, number, number], CustomerRow>(
    `SELECT ${CUSTOMER_COLUMNS} FROM customers c LEFT JOIN budgets b USING (customer_id)
     WHERE c.partner_id = ? ORDER BY c.position LIMIT ? OFFSET ?`,
  );
  const selectFilteredPage = Object.fromEntries(
    Object.entries(FOLDED).map(([field, column]) => [
      field,
      db.prepare<[string, string, number, number], CustomerRow>(
        `SELECT ${CUSTOMER_COLUMNS} FROM customers c LEFT JOIN budgets b USING (customer_id)
         WHERE c.partner_id = ? AND instr(c.${column}, ?) = 1 ORDER BY c.position LIMIT ? OFFSET ?`,
      ),
    ]),
  ) as Record<CustomerField, Database.Statement<[string, string, number, number], CustomerRow>>;
  // Keyset paging on (partner_id, position), the listing order's index: each batch starts where
  // the last ended without counting the rows before it.
  const selectUsageAfter = db.prepare<[string, number, number], CustomerRow & { position: number }>(
    `SELECT ${CUSTOMER_COLUMNS}, c.position FROM customers c LEFT JOIN budgets b USING (customer_id)
     WHERE c.partner_id = ? AND c.position > ? AND c.offer <> 'none' ORDER BY c.position LIMIT ?`,
  );
  const countUsage = db
    .prepare<[string], number>("SELECT count(*) FROM customers WHERE partner_id = ? AND offer <> 'none'")
    .pluck();
  // Customers change only with a seed, and counting 50,000 of them reads every row (70 ms): each
  // partner's count is kept from its seed, or from its first count, until the next seed or clear.
  const usageCounts = new Map<string, number>();
  function* usageBatches(partnerId: string, batchSize: number): Generator<CustomerUsage[], void, undefined> {
    let after = -1;
    for (;;) {
      const rows = selectUsageAfter.all(partnerId, after, batchSize);
      if (rows.length === 0) return;
      yield rows.map((row) => ({ customer: toCustomerRecord(row), budget: row.amount }) as CustomerUsage);
      if (rows.length < batchSize) return;
      after = (rows.at(-1) as { position: number }).position;
    }
  }

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

  return {
    seed: (portfolio) => {
      seed.immediate(portfolio);
      usageCounts.clear();
      for (const partner of portfolio) {
        usageCounts.set(partner.id, partner.customers.filter(({ usage }) => usage !== undefined).length);
      }
    },
    partner: (partnerId): PartnerRecord | undefined => {
      const row = selectPartner.get(partnerId);
      return (
        row && {
          id: row.partner_id,
          name: row.name,
          billingStart: row.billing_start,
          billingEnd: row.billing_end,
          currencyLocale: row.currency_locale,
        }
      );
    },
    listCustomers: (partnerId, filter, offset, limit) =>
      (filter
        ? selectFilteredPage[filter.field].all(partnerId, filter.prefix.toLowerCase(), limit, offset)
        : selectPage.all(partnerId, limit, offset)
      ).map(toCustomerRecord),
    customer: (customerId) => {
      const row = selectCustomer.get(customerId);
      return row && { customer: toCustomerRecord(row), budget: row.amount };
    },
    usageCount: (partnerId) => {
      let count = usageCounts.get(partnerId);
      if (count === undefined) {
        count = countUsage.get(partnerId) ?? 0;
        usageCounts.set(partnerId, count);
      }
      return count;
    },
    usageBatches: (partnerId, batchSize = USAGE_BATCH) => usageBatches(partnerId, batchSize),
    readAmount: (customerId) => selectAmount.get(customerId)?.amount ?? null,
    update: (update) => applyOnce(update),
    pruneReplays: (maxAgeMs) => {
      deleteReplays.run(Date.now() - maxAgeMs);
    },
    clear: () => {
      clearAll();
      usageCounts.clear();
    },
    ping: () => {
      ping.get();
    },
    close: () => db.close(),
  };
}
