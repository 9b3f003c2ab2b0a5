import type { CustomerStore, CustomerUsage, PortfolioSeed } from './customer-store.js';
import type { Sql } from './postgres-sql.js';
import {
  CUSTOMER_COLUMNS,
  type CustomerRow,
  FOLDED,
  fold,
  type PartnerRow,
  toCustomerRecord,
  toPartnerRecord,
} from './rows.js';

/** The advisory lock a seed takes in its transaction: replicas starting at once seed one after another. */
export const SEED_LOCK = 0x75620002;
/** Customers per batch of a usage read (as on SQLite). */
const USAGE_BATCH = 128;
const FROM_CUSTOMERS = `SELECT ${CUSTOMER_COLUMNS} FROM customers c LEFT JOIN budgets b USING (customer_id)`;

/** A partner's customers as one insert: a column of values each (`unnest`), whatever their number. */
async function insertCustomers(tx: Sql, partner: PortfolioSeed): Promise<void> {
  const columns = partner.customers.map((customer, position) => [
    customer.id,
    partner.id,
    position,
    customer.companyName,
    customer.domain,
    customer.relationship,
    customer.associatedPartnerId ?? null,
    customer.indirectProvider ?? null,
    customer.usage?.offer ?? 'none',
    customer.usage?.currency ?? null,
    customer.usage?.cost ?? null,
    customer.usage?.usdCost ?? null,
    customer.usage?.lastModified ?? null,
    customer.companyName.toLowerCase(),
    customer.domain.toLowerCase(),
    fold(customer.associatedPartnerId),
    fold(customer.indirectProvider),
  ]);
  const column = (index: number) => columns.map((values) => values[index]);
  const types = ['text', 'text', 'int', ...Array.from({ length: 14 }, () => 'text')];
  await tx.run(
    `INSERT INTO customers (customer_id, partner_id, position, company_name, domain, relationship,
       associated_partner_id, indirect_provider, offer, currency, total_cost, usd_total_cost, last_modified,
       company_name_folded, domain_folded, associated_partner_id_folded, indirect_provider_folded)
     SELECT * FROM unnest(${types.map((type, index) => `$${index + 1}::${type}[]`).join(', ')})`,
    types.map((_, index) => column(index)),
  );
  const budgeted = partner.customers.filter(({ budget }) => budget !== null);
  await tx.run(
    `INSERT INTO budgets (customer_id, amount, updated_at)
     SELECT id, amount, $3 FROM unnest($1::text[], $2::text[]) AS seeded (id, amount)
     ON CONFLICT (customer_id) DO NOTHING`,
    [budgeted.map(({ id }) => id), budgeted.map(({ budget }) => budget), Date.now()],
  );
}

/** The customer store on PostgreSQL. */
export function postgresCustomers(sql: Sql): CustomerStore {
  async function* usageBatches(partnerId: string, batchSize: number): AsyncGenerator<CustomerUsage[], void, undefined> {
    let after = -1;
    for (;;) {
      const rows = await sql.rows<CustomerRow & { position: number }>(
        `SELECT ${CUSTOMER_COLUMNS}, c.position FROM customers c LEFT JOIN budgets b USING (customer_id)
         WHERE c.partner_id = $1 AND c.position > $2 AND c.offer <> 'none' ORDER BY c.position LIMIT $3`,
        [partnerId, after, batchSize],
      );
      if (rows.length === 0) return;
      yield rows.map((row) => ({ customer: toCustomerRecord(row), budget: row.amount }) as CustomerUsage);
      if (rows.length < batchSize) return;
      after = (rows.at(-1) as { position: number }).position;
    }
  }
  return {
    seed: (portfolio) =>
      sql.atomic(async (tx) => {
        // Exempt from the statement timeout (postgres-store.ts): a replica starting waits here for
        // another's seed, and a big portfolio's inserts take what they take.
        await tx.run("SELECT set_config('statement_timeout', '0', true)");
        await tx.run('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
        await tx.run('DELETE FROM customers');
        await tx.run('DELETE FROM partners');
        for (const partner of portfolio) {
          await tx.run(
            'INSERT INTO partners (partner_id, name, billing_start, billing_end, currency_locale) VALUES ($1, $2, $3, $4, $5)',
            [partner.id, partner.name, partner.billingStart, partner.billingEnd, partner.currencyLocale],
          );
          await insertCustomers(tx, partner);
        }
      }),
    partner: async (partnerId) => {
      const [row] = await sql.rows<PartnerRow>('SELECT * FROM partners WHERE partner_id = $1', [partnerId]);
      return row && toPartnerRecord(row);
    },
    listCustomers: async (partnerId, filter, offset, limit) => {
      const rows = filter
        ? await sql.rows<CustomerRow>(
            `${FROM_CUSTOMERS} WHERE c.partner_id = $1 AND starts_with(c.${FOLDED[filter.field]}, $2)
             ORDER BY c.position LIMIT $3 OFFSET $4`,
            [partnerId, filter.prefix.toLowerCase(), limit, offset],
          )
        : await sql.rows<CustomerRow>(
            `${FROM_CUSTOMERS} WHERE c.partner_id = $1 ORDER BY c.position LIMIT $2 OFFSET $3`,
            [partnerId, limit, offset],
          );
      return rows.map(toCustomerRecord);
    },
    customer: async (customerId) => {
      const [row] = await sql.rows<CustomerRow>(`${FROM_CUSTOMERS} WHERE c.customer_id = $1`, [customerId]);
      return row && { customer: toCustomerRecord(row), budget: row.amount };
    },
    usageCount: async (partnerId) => {
      const [row] = await sql.rows<{ count: number }>(
        "SELECT count(*)::int AS count FROM customers WHERE partner_id = $1 AND offer <> 'none'",
        [partnerId],
      );
      return row?.count ?? 0;
    },
    usageBatches: (partnerId, batchSize = USAGE_BATCH) => usageBatches(partnerId, batchSize),
  };
}
