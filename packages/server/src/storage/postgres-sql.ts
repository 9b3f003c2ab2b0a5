// How the PostgreSQL engine runs SQL: on the pool (each statement on whichever connection is
// free), or on the one connection of an open transaction. `atomic` is the one way to run several
// statements as a unit: a transaction of its own on the pool, or a part of the open one.
import type pg from 'pg';

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
    return client.query(text, values as unknown[]);
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
  const client = await pool.connect();
  let open = true;
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(transactionSql(client, () => open));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((failed: Error) => {
      broken = failed;
    });
    throw error;
  } finally {
    open = false;
    client.release(broken);
  }
}

/** SQL on the pool: each statement on its own, `atomic` in a transaction of its own. */
export function poolSql(pool: pg.Pool): Sql {
  return {
    rows: async <R extends object>(text: string, values?: readonly unknown[]) =>
      (await pool.query(text, values as unknown[])).rows as R[],
    run: async (text, values) => (await pool.query(text, values as unknown[])).rowCount ?? 0,
    atomic: (work) => inTransaction(pool, work),
  };
}
