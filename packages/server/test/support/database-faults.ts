// What the tests of the database's faults share: the answer a request gets when the database
// cannot serve it, and the server's sessions seen waiting on a lock from another session.
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { expect } from 'vitest';
import type { RawResponse } from '../../src/testing/index.js';

/** The spec's transient 503: `ServiceUnavailable`, to be retried after a second. */
export function expectUnavailable(answer: RawResponse): void {
  expect(answer.status, answer.text).toBe(503);
  expect(answer.headers['retry-after']).toBe('1');
  expect(JSON.parse(answer.text)).toMatchObject({ code: 'ServiceUnavailable', source: 'usagebudget-server' });
}

/**
 * How many sessions of server processes wait on a lock (of the kind `waitEvent`, such as
 * `advisory`, when given), once `count` do or after about 30 s, as `client` sees them.
 */
export async function serverSessionsWaiting(client: pg.Client, count: number, waitEvent?: string): Promise<number> {
  const waiting = async () =>
    (
      await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE application_name = 'usagebudget-server' AND wait_event_type = 'Lock'
           AND ($1::text IS NULL OR wait_event = $1)`,
        [waitEvent ?? null],
      )
    ).rows[0]?.n ?? 0;
  for (let attempt = 0; attempt < 600; attempt++) {
    const n = await waiting();
    if (n >= count) return n;
    await sleep(50);
  }
  return waiting();
}
