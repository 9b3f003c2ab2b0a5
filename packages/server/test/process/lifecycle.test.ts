import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  budgetPath,
  jsonHeaders,
  randomPartner,
  runToEnd,
  sendRaw,
  serverBinPath,
  startServerProcess,
} from '../../src/testing/index.js';
import { scratchDir } from '../support/use-server.js';

const partner = randomPartner('Lifecycle partner');
const customer = partner.customers[0] as string;
const token = partner.tokens[0] as string;
const config = { partners: [partner] };
const scratch = scratchDir();
afterAll(() => scratch.remove());

const start = (db: string) => startServerProcess({ config, db });
const readAmount = async (url: string) =>
  (
    JSON.parse((await sendRaw(url, { path: budgetPath(customer), headers: jsonHeaders(token) })).text) as {
      amount: unknown;
    }
  ).amount;

/** Starts a PATCH and resolves once the server has its headers (it answered 100 Continue). */
function patchAwaitingBody(url: string, body: string) {
  const { hostname, port } = new URL(url);
  const req = request({
    host: hostname,
    port,
    method: 'PATCH',
    path: budgetPath(customer),
    headers: jsonHeaders(token, { 'Content-Length': String(Buffer.byteLength(body)), Expect: '100-continue' }),
    agent: false,
  });
  const response = new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
    });
    req.on('error', reject);
  });
  const headersReceived = new Promise<void>((resolve) => req.once('continue', resolve));
  req.flushHeaders();
  return { headersReceived, response, finish: () => req.end(body) };
}

describe('shutdown and restart', () => {
  it('on SIGTERM stops accepting, finishes the request in flight, flushes the log, and exits 0', async () => {
    const db = join(scratch.dir, 'graceful.sqlite');
    const server = await start(db);
    const inFlight = patchAwaitingBody(server.url, '{"amount": 42.42}');
    await inFlight.headersReceived;
    process.kill(server.pid, 'SIGTERM');
    // Once the listener is closed, a new connection is refused while the old request is still open.
    let refused = false;
    for (let attempt = 0; attempt < 100 && !refused; attempt++) {
      refused = await sendRaw(server.url, { path: '/healthz' }).then(
        () => false,
        (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
      );
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refused).toBe(true);
    inFlight.finish();
    const response = await inFlight.response;
    expect(response.status).toBe(200);
    expect(response.connection).toBe('close');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/"method":"PATCH".*"status":200/);

    const restarted = await start(db);
    try {
      expect(await readAmount(restarted.url)).toBe(42.42);
    } finally {
      await restarted.stop();
    }
  });

  it('exits 0 on SIGINT too', async () => {
    const server = await start(':memory:');
    expect(await server.stop('SIGINT')).toBe(0);
  });

  it('refuses to share its database with a second server', async () => {
    const db = join(scratch.dir, 'exclusive.sqlite');
    const server = await start(db);
    try {
      // The demo partner: the database is refused before any partner matters.
      const second = await runToEnd(process.execPath, [serverBinPath, '--port', '0', '--db', db], {
        timeoutMs: 20_000,
      });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('in use by another process');
      expect(await readAmount(server.url)).toBeNull();
    } finally {
      await server.stop();
    }
  });

  it('migrates a new database once, records it, and refuses a database newer than itself', async () => {
    const db = join(scratch.dir, 'migrations.sqlite');
    for (let run = 0; run < 2; run++) await (await start(db)).stop();
    const file = new Database(db);
    const applied = file.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(applied).toEqual([
      { version: 1, name: 'budgets' },
      { version: 2, name: 'patch replays' },
      { version: 3, name: 'replays keep the amount they applied' },
      { version: 4, name: 'partners, customers and usage' },
      { version: 5, name: 'budget applies' },
      { version: 6, name: 'webhooks' },
      { version: 7, name: 'server secrets' },
    ]);
    expect(file.pragma('journal_mode', { simple: true })).toBe('wal');
    file.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, ?)').run(randomUUID(), 'x');
    file.close();
    await expect(start(db)).rejects.toThrow(/schema version 99, newer than this server's 7/);
  });
});
