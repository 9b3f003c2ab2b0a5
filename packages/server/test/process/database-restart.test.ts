import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  budgetPath,
  demoPartner,
  isRunning,
  jsonHeaders,
  type ServerProcess,
  sendRaw,
  startPostgres,
  startServerProcess,
} from '../../src/testing/index.js';
import { expectUnavailable } from '../support/database-faults.js';

// The fault of issue 24: the database restarted while replicas on PostgreSQL serve. Requests that
// need it fail as the spec's transient 503, and each replica recovers by itself once it is back.

/** Waits until `url` answers `/readyz` with 200, for at most 30 s. */
async function ready(url: string) {
  const deadline = Date.now() + 30_000;
  while ((await sendRaw(url, { path: '/readyz' })).status !== 200) {
    if (Date.now() > deadline) throw new Error(`${url} did not become ready within 30 s of the database`);
    await sleep(200);
  }
}

describe('a PostgreSQL restart while two replicas serve', () => {
  it('answers 503 ServiceUnavailable with Retry-After on both while the database is down, and both serve again once it is back, without a restart', async () => {
    const postgres = await startPostgres({ settings: { fsync: 'off' } });
    const replicas: ServerProcess[] = [];
    try {
      const db = await postgres.createDatabase('restart');
      replicas.push(...(await Promise.all([0, 1].map(() => startServerProcess({ db, args: ['--no-access-log'] })))));
      const [first, second] = replicas as [ServerProcess, ServerProcess];
      const path = budgetPath(demoPartner.customerId);
      const headers = jsonHeaders(demoPartner.token);
      const read = (server: ServerProcess) => sendRaw(server.url, { path, headers });
      const patch = (server: ServerProcess, amount: number) =>
        sendRaw(server.url, { method: 'PATCH', path, headers, body: JSON.stringify({ amount }) });
      expect((await patch(first, 5)).status).toBe(200);
      expect(JSON.parse((await read(second)).text)).toMatchObject({ amount: 5 });

      await postgres.shutDown();
      for (const server of replicas) {
        expectUnavailable(await read(server));
        expectUnavailable(await patch(server, 6));
        expectUnavailable(await sendRaw(server.url, { path: '/readyz' }));
        expect((await sendRaw(server.url, { path: '/healthz' })).status).toBe(200);
      }

      await postgres.startAgain();
      await Promise.all(replicas.map((server) => ready(server.url)));
      // The same processes: none was restarted.
      for (const server of replicas) expect(isRunning(server.pid)).toBe(true);
      // The acknowledged write is there on both; the PATCHes answered 503 applied nothing.
      for (const server of replicas) expect(JSON.parse((await read(server)).text)).toMatchObject({ amount: 5 });
      expect((await patch(second, 7)).status).toBe(200);
      expect(JSON.parse((await read(first)).text)).toMatchObject({ amount: 7 });
      expect(await postgres.psql('SELECT count(*) FROM budget_applies', 'restart')).toBe('2');
    } finally {
      await Promise.allSettled(replicas.map((server) => server.stop()));
      await postgres.stop();
    }
  });
});
