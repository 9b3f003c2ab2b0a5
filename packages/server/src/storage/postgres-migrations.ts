import type pg from 'pg';

/** The advisory lock the migrations run under: replicas starting at once migrate one after another. */
export const MIGRATION_LOCK = 0x75620001;

/**
 * PostgreSQL's schema changes in order. Append only. The first is the schema of SQLite's version 6
 * (`migrations.ts`), the same tables and columns (flags as integers 0 or 1, amounts and costs as
 * canonical decimal text): from then on each change is made to both lists, under the same name.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'budgets, replays, partners, customers, applies and webhooks (SQLite version 6)',
    sql: `CREATE TABLE budgets (
            customer_id text PRIMARY KEY,
            amount text,
            updated_at bigint NOT NULL
          );
          CREATE TABLE replays (
            partner_id text NOT NULL,
            request_id text NOT NULL,
            customer_id text NOT NULL,
            amount text,
            response text NOT NULL,
            created_at bigint NOT NULL,
            PRIMARY KEY (partner_id, request_id)
          );
          CREATE TABLE partners (
            partner_id text PRIMARY KEY,
            name text NOT NULL,
            billing_start text NOT NULL,
            billing_end text NOT NULL,
            currency_locale text NOT NULL
          );
          CREATE TABLE customers (
            customer_id text PRIMARY KEY,
            partner_id text NOT NULL,
            position integer NOT NULL,
            company_name text NOT NULL,
            domain text NOT NULL,
            relationship text NOT NULL,
            associated_partner_id text,
            indirect_provider text,
            offer text NOT NULL CHECK (offer IN ('azurePlan', 'legacy', 'none')),
            currency text,
            total_cost text,
            usd_total_cost text,
            last_modified text,
            company_name_folded text NOT NULL,
            domain_folded text NOT NULL,
            associated_partner_id_folded text,
            indirect_provider_folded text
          );
          CREATE UNIQUE INDEX customers_in_order ON customers (partner_id, position);
          CREATE TABLE budget_applies (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            partner_id text NOT NULL,
            customer_id text NOT NULL,
            request_id text,
            amount text,
            applied_at bigint NOT NULL
          );
          CREATE TABLE webhook_registrations (
            partner_id text PRIMARY KEY,
            subscriber_id text NOT NULL,
            webhook_url text NOT NULL,
            webhook_events text NOT NULL,
            signature_in_ms_header integer NOT NULL CHECK (signature_in_ms_header IN (0, 1)),
            last_modified text NOT NULL
          );
          CREATE TABLE webhook_events (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id text NOT NULL UNIQUE,
            partner_id text NOT NULL,
            event_name text NOT NULL,
            body text NOT NULL,
            correlation_id text,
            callback_url text NOT NULL,
            state text NOT NULL CHECK (state IN ('pending', 'delivered', 'parked')),
            attempts integer NOT NULL,
            next_attempt_at bigint NOT NULL,
            lease_owner text,
            lease_until bigint,
            raised_at bigint NOT NULL,
            settled_at bigint
          );
          CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE state = 'pending';
          CREATE UNIQUE INDEX webhook_events_by_correlation ON webhook_events (partner_id, correlation_id)
            WHERE correlation_id IS NOT NULL;
          CREATE TABLE webhook_attempts (
            event_id text NOT NULL,
            attempt integer NOT NULL,
            url text NOT NULL,
            started_at text NOT NULL,
            status integer,
            response_code text NOT NULL,
            response_message text NOT NULL,
            system_error integer NOT NULL CHECK (system_error IN (0, 1)),
            PRIMARY KEY (event_id, attempt)
          );
          CREATE TABLE budget_crossings (
            customer_id text PRIMARY KEY,
            billing_start text NOT NULL,
            over_budget integer NOT NULL CHECK (over_budget IN (0, 1))
          );`,
  },
  {
    version: 2,
    name: 'server secrets',
    // The server's own secrets, each written once (`INSERT ... ON CONFLICT DO NOTHING`, then read
    // back: of replicas starting at once, every one keeps the first's) and read by every replica
    // at start: the webhook signing keys and certificates, the continuation token secret when the
    // config gives none. Not a data table: a reset (`clear`) keeps it.
    sql: `CREATE TABLE server_secrets (
            name text PRIMARY KEY,
            value text NOT NULL,
            created_at bigint NOT NULL
          );`,
  },
];

/**
 * Brings the database to the latest schema, one transaction per migration, under an advisory lock
 * held on one connection: of replicas starting at once, the first migrates and the others wait,
 * then find nothing to do. Returns the version reached.
 */
export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
                            version integer PRIMARY KEY,
                            name text NOT NULL,
                            applied_at text NOT NULL
                          )`);
      const latest = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;
      const found = await client.query<{ version: number | null }>(
        'SELECT MAX(version) AS version FROM schema_migrations',
      );
      const current = found.rows[0]?.version ?? 0;
      if (current > latest) {
        throw new Error(`the database is at schema version ${current}, newer than this server's ${latest}`);
      }
      for (const migration of POSTGRES_MIGRATIONS.filter(({ version }) => version > current)) {
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            new Date().toISOString(),
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
      return latest;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
