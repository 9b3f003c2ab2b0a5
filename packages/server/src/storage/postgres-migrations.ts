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
  {
    version: 3,
    name: 'namespaces: customers, budgets and crossings keyed by partner; partner origins and tokens',
    // As SQLite's version 8: a customer is (partner_id, customer_id); budgets and crossings of
    // customers no partner has are dropped; partners get origin and expires_at; namespaces'
    // tokens are kept as SHA-256 digests.
    sql: `ALTER TABLE customers DROP CONSTRAINT customers_pkey, ADD PRIMARY KEY (partner_id, customer_id);
          ALTER TABLE budgets ADD COLUMN partner_id text;
          UPDATE budgets b SET partner_id = c.partner_id FROM customers c WHERE c.customer_id = b.customer_id;
          DELETE FROM budgets WHERE partner_id IS NULL;
          ALTER TABLE budgets ALTER COLUMN partner_id SET NOT NULL,
            DROP CONSTRAINT budgets_pkey, ADD PRIMARY KEY (partner_id, customer_id);
          ALTER TABLE budget_crossings ADD COLUMN partner_id text;
          UPDATE budget_crossings x SET partner_id = c.partner_id FROM customers c WHERE c.customer_id = x.customer_id;
          DELETE FROM budget_crossings WHERE partner_id IS NULL;
          ALTER TABLE budget_crossings ALTER COLUMN partner_id SET NOT NULL,
            DROP CONSTRAINT budget_crossings_pkey, ADD PRIMARY KEY (partner_id, customer_id);
          ALTER TABLE partners ADD COLUMN origin text NOT NULL DEFAULT 'config' CHECK (origin IN ('config', 'namespace')),
            ADD COLUMN expires_at bigint;
          CREATE TABLE partner_tokens (
            token_sha256 text PRIMARY KEY,
            partner_id text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('app+user', 'app-only'))
          );
          CREATE INDEX partner_tokens_by_partner ON partner_tokens (partner_id);
          CREATE INDEX partners_expiring ON partners (expires_at) WHERE expires_at IS NOT NULL;`,
  },
  {
    // PostgreSQL only: SQLite applies a PATCH in process (one connection, no round trips), and
    // keeps its throttle in process (the file is one server's). The schema comparison test
    // lists `throttle_buckets` as PostgreSQL's own.
    version: 4,
    name: 'a PATCH in one statement (apply_budget, budget_standing), and the throttle kept in the database (throttle_buckets)',
    sql: `CREATE TABLE throttle_buckets (
            partner_id text PRIMARY KEY,
            tokens double precision NOT NULL,
            at timestamptz NOT NULL
          );
          -- A customer's standing as the threshold reads it (rows.ts's STANDING), and its version:
          -- every column the threshold's rule reads but the budget's amount, as text. A quiet PATCH
          -- (see postgres-budgets.ts) reads it first and passes the version to apply_budget.
          CREATE FUNCTION budget_standing(p_partner text, p_customer text)
          RETURNS TABLE (customer_id text, partner_id text, billing_start text, offer text, currency text,
                         total_cost text, usd_total_cost text, last_modified text, amount text,
                         crossing_start text, over_budget integer, version text)
          LANGUAGE sql STABLE AS $fn$
            SELECT c.customer_id, c.partner_id, p.billing_start, c.offer, c.currency, c.total_cost,
                c.usd_total_cost, c.last_modified, b.amount, x.billing_start, x.over_budget,
                jsonb_build_array(p.billing_start, c.offer, c.currency, c.total_cost, c.usd_total_cost,
                                  c.last_modified, x.billing_start, x.over_budget)::text
              FROM customers c JOIN partners p USING (partner_id) LEFT JOIN budgets b USING (partner_id, customer_id)
                LEFT JOIN budget_crossings x USING (partner_id, customer_id)
              WHERE c.partner_id = p_partner AND c.customer_id = p_customer AND c.offer <> 'none'
          $fn$;
          -- A budget PATCH in one round trip (see postgres-budgets.ts): the replay claimed first (a
          -- concurrent duplicate waits on its unique index, then finds it), then the customer's row
          -- locked, the budget set and the apply recorded; then the standing, read by a statement of
          -- its own, so with a snapshot taken once the lock is held (a PL/pgSQL statement in a
          -- VOLATILE function takes a new one at READ COMMITTED): it sees the crossing of a change
          -- that held the lock before. With p_expect (a quiet PATCH, a statement committed on its
          -- own), the standing's version once the lock is held must still be p_expect ('none': no
          -- standing), else it raises UB409 and its statement applies nothing; it returns no standing.
          -- Written out here, not from rows.ts: a migration never changes.
          CREATE FUNCTION apply_budget(p_partner text, p_request text, p_customer text, p_amount text,
                                       p_response text, p_now bigint, p_expect text DEFAULT NULL)
          RETURNS TABLE (kind text, replay_customer text, replay_amount text, replay_response text,
                         customer_id text, partner_id text, billing_start text, offer text, currency text,
                         total_cost text, usd_total_cost text, last_modified text, amount text,
                         crossing_start text, over_budget integer)
          LANGUAGE plpgsql VOLATILE AS $fn$
          #variable_conflict use_column
          DECLARE
            claimed integer;
            found_version text;
          BEGIN
            IF p_request IS NOT NULL THEN
              INSERT INTO replays (partner_id, request_id, customer_id, amount, response, created_at)
                VALUES (p_partner, p_request, p_customer, p_amount, p_response, p_now)
                ON CONFLICT (partner_id, request_id) DO NOTHING;
              GET DIAGNOSTICS claimed = ROW_COUNT;
              IF claimed = 0 THEN
                RETURN QUERY SELECT 'replayed'::text, r.customer_id, r.amount, r.response,
                    NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
                    NULL::text, NULL::text, NULL::text, NULL::integer
                  FROM replays r WHERE r.partner_id = p_partner AND r.request_id = p_request;
                RETURN;
              END IF;
            END IF;
            PERFORM 1 FROM customers c WHERE c.partner_id = p_partner AND c.customer_id = p_customer FOR UPDATE;
            IF p_expect IS NOT NULL THEN
              found_version := COALESCE((SELECT s.version FROM budget_standing(p_partner, p_customer) s), 'none');
              IF found_version <> p_expect THEN
                RAISE EXCEPTION 'the standing of % changed since it was read', p_customer USING ERRCODE = 'UB409';
              END IF;
            END IF;
            INSERT INTO budgets (customer_id, amount, updated_at, partner_id) VALUES (p_customer, p_amount, p_now, p_partner)
              ON CONFLICT (partner_id, customer_id) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at;
            INSERT INTO budget_applies (partner_id, customer_id, request_id, amount, applied_at)
              VALUES (p_partner, p_customer, p_request, p_amount, p_now);
            IF p_expect IS NULL THEN
              RETURN QUERY SELECT 'applied'::text, NULL::text, NULL::text, NULL::text,
                  s.customer_id, s.partner_id, s.billing_start, s.offer, s.currency, s.total_cost,
                  s.usd_total_cost, s.last_modified, s.amount, s.crossing_start, s.over_budget
                FROM budget_standing(p_partner, p_customer) s;
              IF FOUND THEN
                RETURN;
              END IF;
            END IF;
            RETURN QUERY SELECT 'applied'::text, NULL::text, NULL::text, NULL::text,
              NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
              NULL::text, NULL::text, NULL::text, NULL::integer;
          END
          $fn$;`,
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
    // No statement timeout while migrating: waiting for another replica's migration, or a long
    // migration, is the start's work. Reset before the connection goes back to the pool.
    await client.query("SELECT set_config('statement_timeout', '0', false)");
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
      await client.query('RESET statement_timeout');
    }
  } finally {
    client.release();
  }
}
