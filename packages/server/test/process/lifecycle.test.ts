import { randomUUID } from 'node:crypto';
import { createServer, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../../src/storage/postgres-migrations.js';
import {
  budgetPath,
  isRunning,
  jsonHeaders,
  listenOnLoopback,
  randomPartner,
  runToEnd,
  type ServerProcess,
  sendRaw,
  serverBinPath,
  startServerProcess,
} from '../../src/testing/index.js';
import { TEST_ENGINE, useDatabases } from '../support/use-server.js';
import { register, sendTestEvent, testEventStatus } from '../support/webhooks.js';

const partner = randomPartner('Lifecycle partner');
const customer = partner.customers[0] as string;
const token = partner.tokens[0] as string;
const config = { partners: [partner] };
// On both engines (a SQLite file, or a PostgreSQL database), but for the file's lock, SQLite's alone.
const databases = useDatabases();

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

/** Whether `url` refuses new connections within about 2 s (its listener closed). */
async function listenerClosed(url: string): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const refused = await sendRaw(url, { path: '/healthz' }).then(
      () => false,
      (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
    );
    if (refused) return true;
    await sleep(20);
  }
  return false;
}

describe('shutdown and restart', () => {
  it('on SIGTERM stops accepting, finishes the request in flight, flushes the log, and exits 0', async () => {
    const db = await databases.create('graceful');
    const server = await start(db);
    const inFlight = patchAwaitingBody(server.url, '{"amount": 42.42}');
    await inFlight.headersReceived;
    process.kill(server.pid, 'SIGTERM');
    // Once the listener is closed, a new connection is refused while the old request is still open.
    expect(await listenerClosed(server.url)).toBe(true);
    // A second signal during the stop is ignored: the request in flight still finishes.
    process.kill(server.pid, 'SIGINT');
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

  it('on SIGTERM waits for the webhook delivery attempt in flight and records it before it exits 0', async () => {
    const db = await databases.create('delivering');
    // A receiver that holds each delivery until released: an attempt kept in flight.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let deliveries = 0;
    const receiver = await listenOnLoopback(
      createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          deliveries++;
          void released.then(() => res.writeHead(200).end('ok'));
        });
      }),
    );
    let restarted: ServerProcess | undefined;
    try {
      const server = await start(db);
      await register(server.url, token, { webhookUrl: `${receiver.url}/events`, webhookEvents: ['test-created'] });
      const { correlationId } = JSON.parse((await sendTestEvent(server.url, token)).text) as { correlationId: string };
      for (let attempt = 0; attempt < 200 && deliveries === 0; attempt++) await sleep(25);
      expect(deliveries).toBe(1);
      process.kill(server.pid, 'SIGTERM');
      expect(await listenerClosed(server.url)).toBe(true);
      // Stopping, not stopped: it waits for the receiver's answer.
      expect(isRunning(server.pid)).toBe(true);
      release();
      expect(await server.exited).toBe(0);

      restarted = await start(db);
      const status = await testEventStatus(restarted.url, token, correlationId);
      expect(status.status).toBe('completed');
      expect(status.results).toHaveLength(1);
      expect(status.results[0]).toMatchObject({ responseCode: 'OK' });
      expect(deliveries).toBe(1);
    } finally {
      release();
      await restarted?.stop();
      await receiver.close();
    }
  });

  it('exits 0 on SIGINT too', async () => {
    const server = await start(await databases.create('interrupted'));
    expect(await server.stop('SIGINT')).toBe(0);
  });

  // SQLite's alone: a SQLite file is one server's (it holds the file's lock), where servers on
  // PostgreSQL share their database by design (replicas.test.ts).
  it.runIf(TEST_ENGINE === 'sqlite')('refuses to share its SQLite file with a second server', async () => {
    const db = await databases.create('exclusive');
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
    const db = await databases.create('migrations');
    for (let run = 0; run < 2; run++) await (await start(db)).stop();
    if (TEST_ENGINE === 'postgres') {
      const postgres = databases.postgres();
      if (!postgres) throw new Error('no cluster');
      const applied = await postgres.psql('SELECT version, name FROM schema_migrations ORDER BY version', 'migrations');
      expect(applied.split('\n')).toEqual(POSTGRES_MIGRATIONS.map(({ version, name }) => `${version}|${name}`));
      await postgres.psql(
        `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '${randomUUID()}', 'x')`,
        'migrations',
      );
      await expect(start(db)).rejects.toThrow(
        new RegExp(`schema version 99, newer than this server's ${POSTGRES_MIGRATIONS.at(-1)?.version}`),
      );
      return;
    }
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
      {
        version: 8,
        name: 'namespaces: customers, budgets and crossings keyed by partner; partner origins and tokens',
      },
    ]);
    expect(file.pragma('journal_mode', { simple: true })).toBe('wal');
    file.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, ?)').run(randomUUID(), 'x');
    file.close();
    await expect(start(db)).rejects.toThrow(/schema version 99, newer than this server's 8/);
  });
});
