import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  budgetPath,
  jsonHeaders,
  randomPartner,
  type ServerProcess,
  sendRaw,
  startServerProcess,
} from '../../src/testing/index.js';
import { useDatabases } from '../support/use-server.js';

const partner = randomPartner('Durability partner');
const customer = partner.customers[0] as string;
const token = partner.tokens[0] as string;
// On both engines: a SQLite file, or a PostgreSQL database (the database keeps running; the
// server process is what is killed).
const databases = useDatabases();

// Bounded both ways: enough rounds to matter, never more than the time budget allows.
const MAX_ROUNDS = 12;
const TIME_BUDGET_MS = 15_000;
const MIN_ROUNDS = 3;

describe('durability', () => {
  it('keeps every acknowledged PATCH, and its replay record, across kill -9', async () => {
    const db = await databases.create('durable');
    const options = { config: { partners: [partner] }, db, args: ['--no-access-log'] };
    const started = Date.now();
    let previous: { requestId: string; amount: string; body: string } | undefined;
    let rounds = 0;
    let server: ServerProcess | undefined;
    try {
      while (rounds < MAX_ROUNDS && Date.now() - started < TIME_BUDGET_MS) {
        server = await startServerProcess(options);
        const path = budgetPath(customer);
        if (previous) {
          const read = await sendRaw(server.url, { path, headers: jsonHeaders(token) });
          expect(read.text, `round ${rounds}: the amount acknowledged before kill -9`).toBe(previous.body);
          const replay = await sendRaw(server.url, {
            method: 'PATCH',
            path,
            headers: jsonHeaders(token, { 'MS-RequestId': previous.requestId }),
            body: `{"amount": ${previous.amount}}`,
          });
          expect(replay.text, `round ${rounds}: the replay of the last PATCH`).toBe(previous.body);
        }
        const requestId = randomUUID();
        const amount = (Math.floor(Math.random() * 10_000_000) / 100).toFixed(2);
        const acknowledged = await sendRaw(server.url, {
          method: 'PATCH',
          path,
          headers: jsonHeaders(token, { 'MS-RequestId': requestId }),
          body: `{"amount": ${amount}}`,
        });
        expect(acknowledged.status).toBe(200);
        process.kill(server.pid, 'SIGKILL');
        expect(await server.exited).toBe('SIGKILL');
        previous = { requestId, amount, body: acknowledged.text };
        rounds++;
      }
      server = await startServerProcess(options);
      const final = await sendRaw(server.url, { path: budgetPath(customer), headers: jsonHeaders(token) });
      expect(final.text).toBe(previous?.body);
    } finally {
      await server?.stop();
    }
    expect(rounds).toBeGreaterThanOrEqual(MIN_ROUNDS);
  });
});
