import pg from 'pg';
import { postgresBudgets, postgresQuietUpdate } from './postgres-budgets.js';
import { postgresCustomers } from './postgres-customers.js';
import { listenForOutbox } from './postgres-listener.js';
import { migratePostgres } from './postgres-migrations.js';
import { postgresSecrets } from './postgres-secrets.js';
import { inTransaction, poolSql, type Sql } from './postgres-sql.js';
import { postgresThresholds } from './postgres-thresholds.js';
import { postgresThrottle } from './postgres-throttle.js';
import { DEFAULT_POOL_SIZE, passwordsOf, postgresTarget } from './postgres-url.js';
import { postgresWebhooks } from './postgres-webhooks.js';
import { CONFIG_PARTNERS, partnerRowDeletes } from './rows.js';
import type { Store, StoreOperations } from './store.js';

/**
 * How long one statement may run (`statement_timeout`, set for each session): a request held
 * longer (a lock held elsewhere, an overloaded database) is answered 503 with `Retry-After`
 * rather than holding its connection and its client. The start's migrations and seed are exempt:
 * a replica waits there for another one's.
 */
export const STATEMENT_TIMEOUT_MS = 10_000;

export interface PostgresStoreOptions {
  /** Connections per server process at most; default {@link DEFAULT_POOL_SIZE}. */
  readonly poolSize?: number;
  /** How long a request may wait for a free connection (or for a new one to open) before it fails; default 5 s. */
  readonly connectionTimeoutMs?: number;
  /** `statement_timeout` of every session; default {@link STATEMENT_TIMEOUT_MS}. */
  readonly statementTimeoutMs?: number;
}

/**
 * Why the database at `url` cannot be used, as one line naming where it is: the driver's reason,
 * with the URL's passwords (should the driver ever repeat them) masked.
 */
function openingError(url: string, error: unknown): Error {
  let reason = error instanceof Error ? error.message : String(error);
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Node's "connect" to a name that resolves to several addresses fails with each one's error.
    reason = error.errors.map((each: unknown) => (each instanceof Error ? each.message : String(each))).join('; ');
  }
  for (const password of passwordsOf(url)) reason = reason.replaceAll(password, '***');
  // node-postgres's words for a password asked and not given.
  if (/client password must be a string/.test(reason)) {
    reason = 'the server asks for a password, and neither the URL nor PGPASSWORD gives one';
  }
  return new Error(`PostgreSQL at ${postgresTarget(url)}: ${reason.replace(/\s*\n\s*/g, ' ')}`, { cause: error });
}

// PostgreSQL's bigint (int8) columns hold milliseconds since the epoch and sequence numbers: well
// within a double's exact integers, so read as numbers, as better-sqlite3 reads them.
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Every read and write of the server's data, on `sql`: the pool, or a transaction's connection. */
function postgresOperations(sql: Sql, partnerTables: readonly string[]): StoreOperations {
  const config = partnerRowDeletes(partnerTables, CONFIG_PARTNERS, 'everything');
  const one = {
    everything: partnerRowDeletes(partnerTables, 'partner_id = $1', 'everything'),
    data: partnerRowDeletes(partnerTables, 'partner_id = $1', 'data'),
  };
  return {
    ...postgresBudgets(sql),
    ...postgresCustomers(sql),
    ...postgresThresholds(sql),
    ...postgresWebhooks(sql),
    ...postgresSecrets(sql),
    clear: () =>
      sql.atomic(async (tx) => {
        for (const statement of config) await tx.run(statement);
      }),
    forgetPartner: (partnerId, what) =>
      sql.atomic(async (tx) => {
        for (const statement of one[what]) await tx.run(statement, [partnerId]);
      }),
  };
}

/**
 * The server's store on PostgreSQL at `url`: a pool of connections, the schema migrated at open
 * (under an advisory lock, so replicas may open it at once). Its parts are `postgres-budgets.ts`,
 * `postgres-customers.ts`, `postgres-thresholds.ts` and `postgres-webhooks.ts`; the locking of each
 * operation is in README.md.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    application_name: 'usagebudget-server',
    types,
  });
  // An idle connection cut by the database (a restart) is an event, not a crash: the pool makes
  // another when one is next needed.
  pool.on('error', () => {});
  try {
    await migratePostgres(pool);
    // Every table with a partner_id column: what `clear` and `forgetPartner` delete from.
    const tables = await pool.query<{ name: string }>(
      `SELECT c.table_name AS name FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
       WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.column_name = 'partner_id'
       ORDER BY c.table_name`,
    );
    const partnerTables = tables.rows.map(({ name }) => name);
    return {
      ...postgresOperations(poolSql(pool), partnerTables),
      ...postgresThrottle(poolSql(pool)),
      transaction: (work) => inTransaction(pool, (sql) => work(postgresOperations(sql, partnerTables))),
      updateQuietly: postgresQuietUpdate(poolSql(pool)),
      watchWebhookEvents: (raised) => listenForOutbox(url, raised, types),
      ping: async () => {
        await poolSql(pool).run('SELECT 1');
      },
      close: () => pool.end(),
    };
  } catch (error) {
    await pool.end();
    throw openingError(url, error);
  }
}
