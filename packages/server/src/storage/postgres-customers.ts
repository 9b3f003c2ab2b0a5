import type { TokenKind } from '../partners/config-format.js';
import type { CustomerStore, CustomerUsage, PortfolioSeed } from './customer-store.js';
import type { NamespaceStore } from './namespace-store.js';
import type { Sql } from './postgres-sql.js';
import {
  CUSTOMER_COLUMNS,
  type CustomerRow,
  customerValues,
  FOLDED,
  type PartnerRow,
  toCustomerRecord,
  toPartnerRecord,
} from './rows.js';

/** The advisory lock a seed takes in its transaction: replicas starting at once seed one after another. */
export const SEED_LOCK = 0x75620002;
/** Customers per batch of a usage read (as on SQLite). */
const USAGE_BATCH = 128;
const FROM_CUSTOMERS = `SELECT ${CUSTOMER_COLUMNS} FROM customers c LEFT JOIN budgets b USING (partner_id, customer_id)`;

/** A partner's customers as one insert (a column of values each, `unnest`, whatever their number), after its others. */
async function insertCustomers(tx: Sql, partner: PortfolioSeed): Promise<void> {
  const [last] = await tx.rows<{ position: number | null }>(
    'SELECT max(position) AS position FROM customers WHERE partner_id = $1',
    [partner.id],
  );
  const first = (last?.position ?? -1) + 1;
  const columns = partner.customers.map((customer, index) => customerValues(customer, partner.id, first + index));
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
    `INSERT INTO budgets (customer_id, amount, updated_at, partner_id)
     SELECT id, amount, $3, $4 FROM unnest($1::text[], $2::text[]) AS seeded (id, amount)
     ON CONFLICT (partner_id, customer_id) DO NOTHING`,
    [budgeted.map(({ id }) => id), budgeted.map(({ budget }) => budget), Date.now(), partner.id],
  );
}

/** A partner and its customers. */
async function insertPartner(
  tx: Sql,
  partner: PortfolioSeed,
  origin: 'config' | 'namespace',
  expiresAt: number | null,
): Promise<void> {
  await tx.run(
    `INSERT INTO partners (partner_id, name, billing_start, billing_end, currency_locale, origin, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [partner.id, partner.name, partner.billingStart, partner.billingEnd, partner.currencyLocale, origin, expiresAt],
  );
  await insertCustomers(tx, partner);
}

/** The customer store on PostgreSQL, and the namespaces' (made under the seed's lock, so their count holds across replicas). */
export function postgresCustomers(sql: Sql): CustomerStore & NamespaceStore {
  async function* usageBatches(partnerId: string, batchSize: number): AsyncGenerator<CustomerUsage[], void, undefined> {
    let after = -1;
    for (;;) {
      const rows = await sql.rows<CustomerRow & { position: number }>(
        `SELECT ${CUSTOMER_COLUMNS}, c.position FROM customers c LEFT JOIN budgets b USING (partner_id, customer_id)
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
        await tx.run(
          "DELETE FROM customers WHERE partner_id NOT IN (SELECT partner_id FROM partners WHERE origin = 'namespace')",
        );
        await tx.run("DELETE FROM partners WHERE origin = 'config'");
        for (const partner of portfolio) await insertPartner(tx, partner, 'config', null);
      }),
    createNamespace: (namespace, maxNamespaces) =>
      sql.atomic(async (tx) => {
        await tx.run('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
        const [found] = await tx.rows<{ count: number }>(
          "SELECT count(*)::int AS count FROM partners WHERE origin = 'namespace'",
        );
        if ((found?.count ?? 0) >= maxNamespaces) return 'full';
        const { partner, tokens, expiresAt } = namespace;
        await insertPartner(tx, partner, 'namespace', expiresAt);
        await tx.run(
          `INSERT INTO partner_tokens (token_sha256, partner_id, kind)
           SELECT sha256, $3, kind FROM unnest($1::text[], $2::text[]) AS token (sha256, kind)`,
          [tokens.map(({ sha256 }) => sha256), tokens.map(({ kind }) => kind), partner.id],
        );
        return 'created';
      }),
    seedCustomers: (partner) => sql.atomic((tx) => insertCustomers(tx, partner)),
    namespaceByToken: async (sha256) => {
      const [row] = await sql.rows<{ partner_id: string; kind: TokenKind; expires_at: number }>(
        `SELECT t.partner_id, t.kind, p.expires_at FROM partner_tokens t JOIN partners p USING (partner_id)
         WHERE t.token_sha256 = $1 AND p.origin = 'namespace'`,
        [sha256],
      );
      return row && { partnerId: row.partner_id, kind: row.kind, expiresAt: row.expires_at };
    },
    namespace: async (partnerId) => {
      const [row] = await sql.rows<{ partner_id: string; name: string; expires_at: number; customers: number }>(
        `SELECT p.partner_id, p.name, p.expires_at,
           (SELECT count(*)::int FROM customers c WHERE c.partner_id = p.partner_id) AS customers
         FROM partners p WHERE p.partner_id = $1 AND p.origin = 'namespace'`,
        [partnerId],
      );
      return row && { id: row.partner_id, name: row.name, expiresAt: row.expires_at, customerCount: row.customers };
    },
    expiredNamespaces: async (now, limit) =>
      (
        await sql.rows<{ partner_id: string }>(
          `SELECT partner_id FROM partners WHERE expires_at <= $1 AND origin = 'namespace'
           ORDER BY expires_at LIMIT $2`,
          [now, limit],
        )
      ).map((row) => row.partner_id),
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
    customer: async (partnerId, customerId) => {
      const [row] = await sql.rows<CustomerRow>(`${FROM_CUSTOMERS} WHERE c.partner_id = $1 AND c.customer_id = $2`, [
        partnerId,
        customerId,
      ]);
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
