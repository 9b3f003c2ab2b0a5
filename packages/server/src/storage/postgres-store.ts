import pg from 'pg';
import { postgresBudgets } from './postgres-budgets.js';
import { postgresCustomers } from './postgres-customers.js';
import { listenForOutbox } from './postgres-listener.js';
import { migratePostgres } from './postgres-migrations.js';
import { postgresSecrets } from './postgres-secrets.js';
import { inTransaction, poolSql, type Sql } from './postgres-sql.js';
import { postgresThresholds } from './postgres-thresholds.js';
import { postgresWebhooks } from './postgres-webhooks.js';
import type { Store, StoreOperations } from './store.js';

/** `--db` values that select PostgreSQL. */
export const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export interface PostgresStoreOptions {
  /** Connections per server process at most; default 10. N replicas need N times this of `max_connections`. */
  readonly poolSize?: number;
  /** How long a request may wait for a free connection before it fails; default 5 s. */
  readonly connectionTimeoutMs?: number;
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
function postgresOperations(sql: Sql, dataTables: readonly string[]): StoreOperations {
  return {
    ...postgresBudgets(sql),
    ...postgresCustomers(sql),
    ...postgresThresholds(sql),
    ...postgresWebhooks(sql),
    ...postgresSecrets(sql),
    clear: () =>
      sql.atomic(async (tx) => {
        for (const table of dataTables) await tx.run(`DELETE FROM "${table}"`);
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
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'usagebudget-server',
    types,
  });
  // An idle connection cut by the database (a restart) is an event, not a crash: the pool makes
  // another when one is next needed.
  pool.on('error', () => {});
  try {
    await migratePostgres(pool);
    const tables = await pool.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
         AND table_name NOT IN ('schema_migrations', 'server_secrets')`,
    );
    const dataTables = tables.rows.map(({ name }) => name);
    return {
      ...postgresOperations(poolSql(pool), dataTables),
      transaction: (work) => inTransaction(pool, (sql) => work(postgresOperations(sql, dataTables))),
      watchWebhookEvents: (raised) => listenForOutbox(url, raised, types),
      ping: async () => {
        await poolSql(pool).run('SELECT 1');
      },
      close: () => pool.end(),
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
