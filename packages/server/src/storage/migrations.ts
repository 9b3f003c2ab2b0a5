import type { Database } from 'better-sqlite3';

/** Schema changes in order. Append only: a released migration is never edited. */
const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'budgets',
    // STRICT and TEXT: an amount is a decimal's canonical text, never a binary float.
    sql: `CREATE TABLE budgets (
            customer_id TEXT PRIMARY KEY,
            amount TEXT,
            updated_at INTEGER NOT NULL
          ) STRICT, WITHOUT ROWID`,
  },
  {
    version: 2,
    name: 'patch replays',
    // The first response to each (partner, MS-RequestId), so a retried PATCH is answered, not applied.
    // No index on created_at: it would cost every PATCH a page write, to speed up an hourly prune.
    sql: `CREATE TABLE replays (
            partner_id TEXT NOT NULL,
            request_id TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            response TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (partner_id, request_id)
          ) STRICT, WITHOUT ROWID`,
  },
  {
    version: 3,
    name: 'replays keep the amount they applied',
    // A replay must repeat the first request (same customer and amount) to be answered. Records
    // made before this version lack the amount; they only answer retries for a day, so they go.
    sql: `DROP TABLE replays;
          CREATE TABLE replays (
            partner_id TEXT NOT NULL,
            request_id TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            amount TEXT,
            response TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (partner_id, request_id)
          ) STRICT, WITHOUT ROWID`,
  },
  {
    version: 4,
    name: 'partners, customers and usage',
    // Seeded from the config at every start (budgets stay: they are the API's state). Costs are
    // decimal TEXT with every digit; *_folded are the filterable fields in lower case, so that a
    // case-insensitive prefix is instr(folded, value) = 1 whatever the script.
    sql: `CREATE TABLE partners (
            partner_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            billing_start TEXT NOT NULL,
            billing_end TEXT NOT NULL,
            currency_locale TEXT NOT NULL
          ) STRICT, WITHOUT ROWID;
          CREATE TABLE customers (
            customer_id TEXT PRIMARY KEY,
            partner_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            company_name TEXT NOT NULL,
            domain TEXT NOT NULL,
            relationship TEXT NOT NULL,
            associated_partner_id TEXT,
            indirect_provider TEXT,
            offer TEXT NOT NULL CHECK (offer IN ('azurePlan', 'legacy', 'none')),
            currency TEXT,
            total_cost TEXT,
            usd_total_cost TEXT,
            last_modified TEXT,
            company_name_folded TEXT NOT NULL,
            domain_folded TEXT NOT NULL,
            associated_partner_id_folded TEXT,
            indirect_provider_folded TEXT
          ) STRICT, WITHOUT ROWID;
          CREATE UNIQUE INDEX customers_in_order ON customers (partner_id, position);`,
  },
  {
    version: 5,
    name: 'budget applies',
    // One row per update applied (never per replay), in order: the server's own record of what
    // changed, which a bulk run is checked against (nothing lost, nothing applied twice). Kept
    // for good, unlike replays: it is the budgets' history.
    sql: `CREATE TABLE budget_applies (
            seq INTEGER PRIMARY KEY,
            partner_id TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            request_id TEXT,
            amount TEXT,
            applied_at INTEGER NOT NULL
          ) STRICT;`,
  },
  {
    version: 6,
    name: 'webhooks',
    // One registration per partner; the outbox of events to deliver (each body the exact bytes
    // sent and signed, written in the transaction of the change that raised it), claimed with a
    // lease; one row per delivery attempt; and each customer's last crossing of its budget, so
    // that a crossing raises one event per billing period.
    sql: `CREATE TABLE webhook_registrations (
            partner_id TEXT PRIMARY KEY,
            subscriber_id TEXT NOT NULL,
            webhook_url TEXT NOT NULL,
            webhook_events TEXT NOT NULL,
            signature_in_ms_header INTEGER NOT NULL,
            last_modified TEXT NOT NULL
          ) STRICT, WITHOUT ROWID;
          CREATE TABLE webhook_events (
            seq INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
            partner_id TEXT NOT NULL,
            event_name TEXT NOT NULL,
            body TEXT NOT NULL,
            correlation_id TEXT,
            callback_url TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'parked')),
            attempts INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            lease_owner TEXT,
            lease_until INTEGER,
            raised_at INTEGER NOT NULL,
            settled_at INTEGER
          ) STRICT;
          CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE state = 'pending';
          CREATE UNIQUE INDEX webhook_events_by_correlation ON webhook_events (partner_id, correlation_id)
            WHERE correlation_id IS NOT NULL;
          CREATE TABLE webhook_attempts (
            event_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            url TEXT NOT NULL,
            started_at TEXT NOT NULL,
            status INTEGER,
            response_code TEXT NOT NULL,
            response_message TEXT NOT NULL,
            system_error INTEGER NOT NULL,
            PRIMARY KEY (event_id, attempt)
          ) STRICT, WITHOUT ROWID;
          CREATE TABLE budget_crossings (
            customer_id TEXT PRIMARY KEY,
            billing_start TEXT NOT NULL,
            over_budget INTEGER NOT NULL
          ) STRICT, WITHOUT ROWID;`,
  },
  {
    version: 7,
    name: 'server secrets',
    // The server's own secrets, each written once (the first writer wins) and read at every
    // start: the continuation token secret when the config gives none. Not a data table: a reset
    // (`clear`) keeps it.
    sql: `CREATE TABLE server_secrets (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            created_at INTEGER NOT NULL
          ) STRICT, WITHOUT ROWID;`,
  },
  {
    version: 8,
    name: 'namespaces: customers, budgets and crossings keyed by partner; partner origins and tokens',
    // Namespaces (throwaway partners made by the admin API) seed the same customer ids as each
    // other, so a customer is (partner_id, customer_id). A budget or crossing of a customer no
    // partner has any more could never be read again: it is dropped. Partners made by the config
    // are replaced at each start; a namespace's stay until deleted or expired (expires_at, ms).
    // Namespaces' tokens are kept as SHA-256 digests, so every replica authenticates them.
    sql: `CREATE TABLE customers_by_partner (
            customer_id TEXT NOT NULL,
            partner_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            company_name TEXT NOT NULL,
            domain TEXT NOT NULL,
            relationship TEXT NOT NULL,
            associated_partner_id TEXT,
            indirect_provider TEXT,
            offer TEXT NOT NULL CHECK (offer IN ('azurePlan', 'legacy', 'none')),
            currency TEXT,
            total_cost TEXT,
            usd_total_cost TEXT,
            last_modified TEXT,
            company_name_folded TEXT NOT NULL,
            domain_folded TEXT NOT NULL,
            associated_partner_id_folded TEXT,
            indirect_provider_folded TEXT,
            PRIMARY KEY (partner_id, customer_id)
          ) STRICT, WITHOUT ROWID;
          INSERT INTO customers_by_partner SELECT * FROM customers;
          DROP TABLE customers;
          ALTER TABLE customers_by_partner RENAME TO customers;
          CREATE UNIQUE INDEX customers_in_order ON customers (partner_id, position);
          CREATE TABLE budgets_by_partner (
            customer_id TEXT NOT NULL,
            amount TEXT,
            updated_at INTEGER NOT NULL,
            partner_id TEXT NOT NULL,
            PRIMARY KEY (partner_id, customer_id)
          ) STRICT, WITHOUT ROWID;
          INSERT INTO budgets_by_partner SELECT b.customer_id, b.amount, b.updated_at, c.partner_id
            FROM budgets b JOIN customers c USING (customer_id);
          DROP TABLE budgets;
          ALTER TABLE budgets_by_partner RENAME TO budgets;
          CREATE TABLE crossings_by_partner (
            customer_id TEXT NOT NULL,
            billing_start TEXT NOT NULL,
            over_budget INTEGER NOT NULL,
            partner_id TEXT NOT NULL,
            PRIMARY KEY (partner_id, customer_id)
          ) STRICT, WITHOUT ROWID;
          INSERT INTO crossings_by_partner SELECT x.customer_id, x.billing_start, x.over_budget, c.partner_id
            FROM budget_crossings x JOIN customers c USING (customer_id);
          DROP TABLE budget_crossings;
          ALTER TABLE crossings_by_partner RENAME TO budget_crossings;
          ALTER TABLE partners ADD COLUMN origin TEXT NOT NULL DEFAULT 'config' CHECK (origin IN ('config', 'namespace'));
          ALTER TABLE partners ADD COLUMN expires_at INTEGER;
          CREATE TABLE partner_tokens (
            token_sha256 TEXT PRIMARY KEY,
            partner_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('app+user', 'app-only'))
          ) STRICT, WITHOUT ROWID;
          CREATE INDEX partner_tokens_by_partner ON partner_tokens (partner_id);
          CREATE INDEX partners_expiring ON partners (expires_at) WHERE expires_at IS NOT NULL;`,
  },
];

/** Brings the database to the latest schema, one transaction per migration. Returns the version reached. */
export function migrate(db: Database): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at TEXT NOT NULL
           ) STRICT`);
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  const current = (
    db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null }
  ).version;
  if (current !== null && current > latest) {
    throw new Error(`the database is at schema version ${current}, newer than this server's ${latest}`);
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of MIGRATIONS) {
    if (current !== null && migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }).immediate();
  }
  return latest;
}
