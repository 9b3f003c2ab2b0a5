import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  budgetPath,
  jsonHeaders,
  randomPartner,
  type ServerProcess,
  sendRaw,
  startPostgres,
  startServerProcess,
} from '../../src/testing/index.js';
import { expectUnavailable, serverSessionsWaiting } from '../support/database-faults.js';

// PostgreSQL's alone: the limits of the connection pool (`--db-pool-size`, the wait for a free
// connection) and of a statement (`statement_timeout`), each answered as the spec's transient 503.

const partner = randomPartner('Pool partner', 2);
const token = partner.tokens[0] as string;
const [locked, other] = partner.customers as [string, string];

describe('the PostgreSQL pool of one server', () => {
  it('answers 503 with Retry-After: 1 when no connection frees up in time, and a statement held past statement_timeout likewise, applying nothing', async () => {
    const postgres = await startPostgres({ settings: { fsync: 'off' } });
    let server: ServerProcess | undefined;
    const db = await postgres.createDatabase('pool');
    const holder = new pg.Client({ connectionString: db });
    try {
      server = await startServerProcess({
        config: { partners: [partner] },
        db,
        args: ['--no-access-log', '--db-pool-size', '1'],
      });
      const { url } = server;
      const read = (customer: string) => sendRaw(url, { path: budgetPath(customer), headers: jsonHeaders(token) });
      expect((await read(other)).status).toBe(200);

      // Another session locks the customer's row: the server's PATCH of it takes the pool's one
      // connection and waits on the lock.
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM customers WHERE customer_id = $1 FOR UPDATE', [locked]);
      const held = sendRaw(url, {
        method: 'PATCH',
        path: budgetPath(locked),
        headers: jsonHeaders(token, { 'MS-RequestId': randomUUID() }),
        body: '{"amount": 12}',
      });
      expect(await serverSessionsWaiting(holder, 1)).toBe(1);

      // No connection frees up within the pool's 5 s: another customer's read, and readiness, are
      // 503 (asked together, both within the PATCH's 10 s).
      const [otherRead, readiness] = await Promise.all([read(other), sendRaw(url, { path: '/readyz' })]);
      expectUnavailable(otherRead);
      expectUnavailable(readiness);
      expect((await sendRaw(url, { path: '/healthz' })).status).toBe(200);

      // The PATCH's statement is cancelled by statement_timeout (10 s), long before the lock ends.
      const answer = await Promise.race([
        held,
        sleep(60_000).then(() => {
          throw new Error('the held PATCH was not answered within 60 s: no statement_timeout');
        }),
      ]);
      expectUnavailable(answer);
      await holder.query('ROLLBACK');

      // Served again at once; the PATCH answered 503 applied nothing.
      expect(JSON.parse((await read(locked)).text)).toMatchObject({ amount: null });
      expect((await read(other)).status).toBe(200);
      expect(await postgres.psql('SELECT count(*) FROM budget_applies', 'pool')).toBe('0');
      expect(await postgres.psql('SELECT count(*) FROM replays', 'pool')).toBe('0');
    } finally {
      await holder.end().catch(() => {});
      await server?.stop();
      await postgres.stop();
    }
  });

  it('answers 503 with Retry-After: 1 while PostgreSQL refuses new connections (max_connections reached), and serves again once one frees up', async () => {
    // No slots kept for superusers (the test's user is one): the cluster is full at 4 sessions.
    // The server holds at most 2 (a pool of 1, and the outbox's listener): with a pool of 10, its
    // idle connections after start could fill the cluster before the test's first session.
    const postgres = await startPostgres({
      settings: { fsync: 'off', max_connections: '4', superuser_reserved_connections: '0' },
    });
    let server: ServerProcess | undefined;
    const holders: pg.Client[] = [];
    try {
      const db = await postgres.createDatabase('full');
      server = await startServerProcess({
        config: { partners: [partner] },
        db,
        args: ['--no-access-log', '--db-pool-size', '1'],
      });
      const read = () =>
        sendRaw((server as ServerProcess).url, { path: budgetPath(other), headers: jsonHeaders(token) });
      expect((await read()).status).toBe(200);
      // The server's idle connections are cut; the test's own sessions then take every slot.
      const first = new pg.Client({ connectionString: db });
      await first.connect();
      holders.push(first);
      await first.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'usagebudget-server'",
      );
      // A terminated session frees its slot only once its backend has exited, after
      // pg_terminate_backend returns: wait for that, then take the slots until a round takes none.
      expect(await serverSessionsGone(first)).toBe(true);
      for (let round = 0; round < 10 && (await takeFreeSlots(db, holders)) > 0; round++) await sleep(200);
      expectUnavailable(await read());
      expectUnavailable(await sendRaw(server.url, { path: '/readyz' }));

      await (holders.pop() as pg.Client).end();
      expect((await read()).status).toBe(200);
    } finally {
      await Promise.allSettled(holders.map((holder) => holder.end()));
      await server?.stop();
      await postgres.stop();
    }
  });
});

/** Whether the server's sessions have left pg_stat_activity, within about 30 s. */
async function serverSessionsGone(client: pg.Client): Promise<boolean> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'usagebudget-server'",
    );
    if (rows[0]?.n === 0) return true;
    await sleep(50);
  }
  return false;
}

/** Opens sessions into `holders` until PostgreSQL refuses one (too many clients); how many it opened. */
async function takeFreeSlots(db: string, holders: pg.Client[]): Promise<number> {
  for (let taken = 0; taken < 10; taken++) {
    const holder = new pg.Client({ connectionString: db });
    const refused = await holder.connect().then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );
    if (refused !== undefined) {
      expect(refused).toBe('53300');
      return taken;
    }
    holders.push(holder);
  }
  throw new Error('PostgreSQL accepted 10 sessions past max_connections');
}
