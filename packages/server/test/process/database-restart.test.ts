import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  budgetPath,
  demoPartner,
  jsonHeaders,
  type RawResponse,
  type ServerProcess,
  sendRaw,
  startPostgres,
  startServerProcess,
} from '../../src/testing/index.js';

// The fault of issue 24: the database restarted while a server on PostgreSQL serves. Requests that
// need it fail as the spec's transient 503, and the server recovers by itself once it is back.

const expectUnavailable = (answer: RawResponse) => {
  expect(answer.status, answer.text).toBe(503);
  expect(answer.headers['retry-after']).toBe('1');
  expect(JSON.parse(answer.text)).toMatchObject({ code: 'ServiceUnavailable', source: 'usagebudget-server' });
};

describe('a PostgreSQL restart while the server serves', () => {
  it('answers 503 ServiceUnavailable with Retry-After while the database is down, and serves again once it is back, without a restart', async () => {
    const postgres = await startPostgres({ settings: { fsync: 'off' } });
    let server: ServerProcess | undefined;
    try {
      server = await startServerProcess({ db: await postgres.createDatabase('restart'), args: ['--no-access-log'] });
      const { url } = server;
      const path = budgetPath(demoPartner.customerId);
      const headers = jsonHeaders(demoPartner.token);
      const read = () => sendRaw(url, { path, headers });
      const patch = (amount: number) =>
        sendRaw(url, { method: 'PATCH', path, headers, body: JSON.stringify({ amount }) });
      expect((await patch(5)).status).toBe(200);

      await postgres.shutDown();
      expectUnavailable(await read());
      expectUnavailable(await patch(6));
      expectUnavailable(await sendRaw(url, { path: '/readyz' }));
      expect((await sendRaw(url, { path: '/healthz' })).status).toBe(200);

      await postgres.startAgain();
      const deadline = Date.now() + 30_000;
      while ((await sendRaw(url, { path: '/readyz' })).status !== 200) {
        if (Date.now() > deadline) throw new Error('the server did not become ready within 30 s of the database');
        await sleep(200);
      }
      // The acknowledged write is there; the PATCH answered 503 applied nothing.
      expect(JSON.parse((await read()).text)).toMatchObject({ amount: 5 });
      expect((await patch(7)).status).toBe(200);
      expect(JSON.parse((await read()).text)).toMatchObject({ amount: 7 });
      expect(await postgres.psql('SELECT count(*) FROM budget_applies', 'restart')).toBe('2');
    } finally {
      await server?.stop();
      await postgres.stop();
    }
  });
});
