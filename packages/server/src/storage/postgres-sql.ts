// How the PostgreSQL engine runs SQL: on the pool (each statement on whichever connection is
// free), or on the one connection of an open transaction. `atomic` is the one way to run several
// statements as a unit: a transaction of its own on the pool, or a part of the open one.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { StoreUnavailable } from './store.js';

// Node's socket errors, the SQLSTATEs of a server shutting down or refusing connections now
// (53300: its max_connections reached, by other replicas or tools), and a statement cancelled by
// the session's statement_timeout (57014: a lock held elsewhere or an overloaded database): each
// answered 503, to be retried, as when the database is away.
const GONE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '57014',
  '53300',
]);
// What pg says when a connection ends under it, or none frees up within its timeout.
const GONE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/i;

/** `error` as `StoreUnavailable` when it says the database cannot be reached now; else as it is. */
export function unavailableOr(error: unknown): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const gone =
    (typeof code === 'string' && (GONE_CODES.has(code) || code.startsWith('08'))) ||
    (typeof message === 'string' && GONE_MESSAGES.test(message));
  return gone ? new StoreUnavailable(error) : error;
}

// Every statement is prepared once per connection under a name of its text: PostgreSQL then
// parses and plans it once, not at every request (most of a PATCH's database time otherwise).
const names = new Map<string, string>();
/** The query config of a statement: its text, its values, and its prepared statement's name. */
function prepared(text: string, values: readonly unknown[] | undefined): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    name = `ub_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    names.set(text, name);
  }
  return { name, text, values: values as unknown[] };
}

/** Runs a call of the driver; an unreachable database rejects with `StoreUnavailable`. */
async function driver<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw unavailableOr(error);
  }
}

export interface Sql {
  /** The rows a statement returns. */
  rows<R extends object>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** How many rows a statement changed. */
  run(text: string, values?: readonly unknown[]): Promise<number>;
  /** Runs `work` atomically: in a transaction of its own on the pool, or inside the open one. */
  atomic<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

/** SQL on the connection of an open transaction, refused once `open()` is false. */
function transactionSql(client: pg.PoolClient, open: () => boolean): Sql {
  const query = (text: string, values?: readonly unknown[]) => {
    if (!open()) return Promise.reject(new Error('the transaction has ended: use its tx only inside its work'));
    return driver(() => client.query(prepared(text, values)));
  };
  const sql: Sql = {
    rows: async <R extends object>(text: string, values?: readonly unknown[]) =>
      (await query(text, values)).rows as R[],
    run: async (text, values) => (await query(text, values)).rowCount ?? 0,
    atomic: (work) => work(sql),
  };
  return sql;
}

/**
 * Runs `work` in a transaction (READ COMMITTED: each operation takes the row locks it needs, see
 * README.md) on a connection of its own: committed when it resolves, rolled back when it throws.
 * A connection that fails to roll back is discarded, not returned to the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await driver(() => pool.connect());
  // The pool listens for the errors of idle connections only: a connection cut while checked out
  // here, between two statements (the database restarting), would emit an unhandled 'error' and
  // end the process. Heard here, it fails the next statement instead, and is discarded.
  let broken: Error | undefined;
  const cut = (error: Error) => {
    broken = error;
  };
  client.on('error', cut);
  let open = true;
  try {
    await driver(() => client.query('BEGIN'));
    const result = await work(transactionSql(client, () => open));
    await driver(() => client.query('COMMIT'));
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((failed: Error) => {
      broken = failed;
    });
    throw error;
  } finally {
    open = false;
    client.removeListener('error', cut);
    client.release(broken);
  }
}

/** SQL on the pool: each statement on its own, `atomic` in a transaction of its own. */
export function poolSql(pool: pg.Pool): Sql {
  return {
    rows: async <R extends object>(text: string, values?: readonly unknown[]) =>
      (await driver(() => pool.query(prepared(text, values)))).rows as R[],
    run: async (text, values) => (await driver(() => pool.query(prepared(text, values)))).rowCount ?? 0,
    atomic: (work) => inTransaction(pool, work),
  };
}
