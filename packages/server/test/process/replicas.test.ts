import { randomUUID, X509Certificate } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/index.js';
import { MIGRATION_LOCK, POSTGRES_MIGRATIONS } from '../../src/storage/postgres-migrations.js';
import {
  budgetPath,
  jsonHeaders,
  type RawResponse,
  randomPartner,
  type ServerProcess,
  sendRaw,
} from '../../src/testing/index.js';
import { certificateFileName } from '../../src/webhooks/signing-keys.js';
import { serverSessionsWaiting } from '../support/database-faults.js';
import { useReplicas } from '../support/use-replicas.js';

// Issue 24: several server processes (replicas) on one PostgreSQL database, as behind a load
// balancer. What one replica acknowledged, every replica serves; a request that reaches two of
// them counts once; replicas started together migrate the database once.

const partner = randomPartner('Replicated partner', 24);
const token = partner.tokens[0] as string;
// Replicas share their config, its continuation token secret included.
const config = { partners: [partner], continuationTokenSecret: 'replicas share this secret, 32+ chars' };

const replicaSets = useReplicas('replicas');
const postgres = { psql: (sql: string, name: string) => replicaSets.postgres().psql(sql, name) };
/** `count` replicas on a fresh database, started at once (with `replicaConfig`: by default the one sharing a token secret). */
const replicas = (count: number, args: readonly string[] = [], replicaConfig: ServerConfig = config) =>
  replicaSets.start(replicaConfig, count, args);

const patch = (server: ServerProcess, customer: string, amount: string, requestId: string = randomUUID()) =>
  sendRaw(server.url, {
    method: 'PATCH',
    path: budgetPath(customer),
    headers: jsonHeaders(token, { 'MS-RequestId': requestId }),
    body: `{"amount": ${amount}}`,
  });
const amountOf = (answer: RawResponse) => (JSON.parse(answer.text) as { amount: number | null }).amount;

describe('replicas on one PostgreSQL database', () => {
  it('apply a PATCH that reaches two of them with the same MS-RequestId at the same instant once, and answer both alike', async () => {
    const { name, servers } = await replicas(2);
    const [first, second] = servers as [ServerProcess, ServerProcess];
    const customers = partner.customers.slice(0, 12);
    const answers = await Promise.all(
      customers.map(async (customer, index) => {
        const requestId = randomUUID();
        return Promise.all([
          patch(first, customer, `${index}.5`, requestId),
          patch(second, customer, `${index}.5`, requestId),
        ]);
      }),
    );
    for (const [one, other] of answers) {
      expect([one.status, other.status]).toEqual([200, 200]);
      expect(other.text).toBe(one.text);
    }
    expect(await postgres.psql('SELECT count(*) FROM budget_applies', name)).toBe(String(customers.length));
  });

  it("open each other's continuation tokens, with a secret in the config or without one (the database's)", async () => {
    for (const replicaConfig of [config, { partners: [partner] }]) {
      const { servers } = await replicas(2, [], replicaConfig);
      const [first, second] = servers as [ServerProcess, ServerProcess];
      const page = await sendRaw(first.url, { path: '/v1/customers?size=5', headers: jsonHeaders(token) });
      const { continuationToken, items } = JSON.parse(page.text) as {
        continuationToken: string;
        items: { id: string }[];
      };
      const next = await sendRaw(second.url, {
        path: '/v1/customers?seekOperation=Next',
        headers: jsonHeaders(token, { 'MS-ContinuationToken': continuationToken }),
      });
      expect(next.status, next.text).toBe(200);
      const following = (JSON.parse(next.text) as { items: { id: string }[] }).items.map(({ id }) => id);
      expect([...items.map(({ id }) => id), ...following]).toEqual(partner.customers.slice(0, 10));
    }
  });

  it('started three at once, serve one test root and one signing certificate, the database kept', async () => {
    const { name, servers } = await replicas(3, [], { partners: [partner] });
    const kept = JSON.parse(
      await postgres.psql("SELECT value FROM server_secrets WHERE name = 'webhook-signing'", name),
    ) as { certificatePem: string };
    const certificate = new X509Certificate(kept.certificatePem);
    const path = `/webhooks/certificates/${certificateFileName(certificate)}`;
    const served = await Promise.all(
      servers.map(async (server) => {
        const [root, signing] = await Promise.all([
          fetch(`${server.url}/webhooks/certificates/root.pem`).then((response) => response.text()),
          fetch(`${server.url}${path}`).then(async (response) => {
            expect(response.status, `${server.url}${path}`).toBe(200);
            return Buffer.from(await response.arrayBuffer());
          }),
        ]);
        return { root, signing };
      }),
    );
    expect(new Set(served.map(({ root }) => root)).size).toBe(1);
    for (const { signing } of served) expect(signing.equals(certificate.raw)).toBe(true);
    expect(certificate.verify(new X509Certificate(served[0]?.root as string).publicKey)).toBe(true);
  });

  it('serve on every replica each write one of them acknowledged before it was killed with kill -9 mid-write, and apply each write cut short exactly once when it is retried on the survivor', async () => {
    const { name, servers } = await replicas(2);
    const [doomed, survivor] = servers as [ServerProcess, ServerProcess];
    const acknowledged = new Map<string, number | null>();
    const sent: { customer: string; requestId: string; amount: string }[] = [];
    let killed = false;
    // Four writers, one PATCH per customer; the replica is killed once half are acknowledged,
    // with the others in flight.
    const queue = [...partner.customers];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let customer = queue.shift(); customer !== undefined; customer = queue.shift()) {
          const write = { customer, requestId: randomUUID(), amount: `${sent.length + 1}.25` };
          sent.push(write);
          const answer = await patch(doomed, customer, write.amount, write.requestId).catch(() => undefined);
          if (answer?.status === 200) acknowledged.set(customer, amountOf(answer));
          if (!killed && acknowledged.size >= partner.customers.length / 2) {
            killed = true;
            process.kill(doomed.pid, 'SIGKILL');
          }
        }
      }),
    );
    expect(await doomed.exited).toBe('SIGKILL');
    expect(acknowledged.size).toBeGreaterThanOrEqual(partner.customers.length / 2);
    expect(acknowledged.size).toBeLessThan(partner.customers.length);
    for (const [customer, amount] of acknowledged) {
      const read = await sendRaw(survivor.url, { path: budgetPath(customer), headers: jsonHeaders(token) });
      expect(amountOf(read), customer).toBe(amount);
    }
    // A client retries what was not acknowledged on the survivor, with the same MS-RequestId: a
    // write that committed before the kill is answered as a replay, one that did not is applied
    // now; either way once.
    for (const { customer, requestId, amount } of sent.filter(({ customer }) => !acknowledged.has(customer))) {
      const retried = await patch(survivor, customer, amount, requestId);
      expect(retried.status, retried.text).toBe(200);
      expect(amountOf(retried)).toBe(Number(amount));
    }
    expect(await postgres.psql('SELECT count(*), count(DISTINCT request_id) FROM budget_applies', name)).toBe(
      `${sent.length}|${sent.length}`,
    );
  });

  it('migrate a fresh database once when three start at the same instant, and all become ready', async () => {
    const name = 'replicas_migrating';
    const db = await replicaSets.postgres().createDatabase(name);
    // The test holds the migration lock, so the three replicas are all waiting on it before any
    // migrates: they then start at the same instant, whatever their processes' start-up times.
    const holder = new pg.Client({ connectionString: db });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const starting = replicaSets.startOn(name, config, 3);
      starting.catch(() => {});
      expect(await serverSessionsWaiting(holder, 3, 'advisory')).toBe(3);
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      const { servers } = await starting;
      for (const server of servers) expect((await sendRaw(server.url, { path: '/readyz' })).status).toBe(200);
      const versions = await postgres.psql(
        'SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version',
        name,
      );
      expect(versions.split('\n')).toEqual(POSTGRES_MIGRATIONS.map(({ version }) => `${version}|1`));
      // Each served at once: a write on one is read on another.
      const [first, , third] = servers as [ServerProcess, ServerProcess, ServerProcess];
      const customer = partner.customers[0] as string;
      expect((await patch(first, customer, '3.5')).status).toBe(200);
      const read = await sendRaw(third.url, { path: budgetPath(customer), headers: jsonHeaders(token) });
      expect(amountOf(read)).toBe(3.5);
    } finally {
      await holder.end();
    }
  });

  it('throttle the partner once across them: three replicas at --rate-limit 10 let about 10 requests a second through, not 30', async () => {
    const rate = 10;
    const burst = rate; // the default burst
    const { servers } = await replicas(3, ['--rate-limit', String(rate)]);
    // Two callers per replica for 6 s, one GET every 25 ms each (about 240 offered a second at
    // most, far above 3 × 10), bounded in count too.
    const seconds = 6;
    const statuses: number[] = [];
    let retryAfterMissing = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      servers.flatMap((server) =>
        Array.from({ length: 2 }, async () => {
          for (let sent = 0; sent < 400 && performance.now() < deadline; sent++) {
            const answer = await sendRaw(server.url, {
              path: budgetPath(partner.customers[0] as string),
              headers: jsonHeaders(token),
            });
            statuses.push(answer.status);
            if (answer.status === 429 && !/^[1-9]\d*$/.test(String(answer.headers['retry-after']))) retryAfterMissing++;
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        }),
      ),
    );
    const elapsedSeconds = (performance.now() - started) / 1000;
    const accepted = statuses.filter((status) => status === 200).length;
    const throttled = statuses.filter((status) => status === 429).length;
    expect(accepted + throttled).toBe(statuses.length);
    expect(retryAfterMissing).toBe(0);
    expect(throttled).toBeGreaterThan(0);
    // One bucket for all three: at most the burst plus the rate over the time taken (a little
    // slack for the database's clock against this one); per-process buckets would let up to three
    // times that through.
    expect(accepted).toBeGreaterThanOrEqual(burst);
    expect(accepted).toBeLessThanOrEqual(burst + rate * elapsedSeconds + 5);
  });
});

describe('namespaces across replicas', () => {
  const ADMIN_TOKEN = `admin-${randomUUID()}`;
  /** Every row of the partner, in every table that has a partner_id column. */
  const rowsOf = async (name: string, partnerId: string) => {
    const tables = (
      await postgres.psql(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'partner_id'",
        name,
      )
    ).split('\n');
    expect(tables).toContain('budgets');
    const counts = await Promise.all(
      tables.map((table) => postgres.psql(`SELECT count(*) FROM "${table}" WHERE partner_id = '${partnerId}'`, name)),
    );
    return counts.reduce((sum, count) => sum + Number(count), 0);
  };

  it('authenticate on replica B a namespace made on replica A, share its data, and forget it everywhere once deleted', async () => {
    const { name, servers } = await replicas(1, ['--admin-token', ADMIN_TOKEN]);
    const [first, second] = [...servers, ...(await replicaSets.startOn(name, config, 1)).servers] as [
      ServerProcess,
      ServerProcess,
    ];
    const customer = randomUUID();
    const created = await sendRaw(first.url, {
      method: 'POST',
      path: '/_admin/namespaces',
      headers: jsonHeaders(ADMIN_TOKEN),
      body: JSON.stringify({ customers: [{ id: customer, budget: 3 }] }),
    });
    expect(created.status).toBe(201);
    const namespace = JSON.parse(created.text) as { id: string; tokens: { token: string }[] };
    const nsToken = namespace.tokens[0]?.token as string;
    // B has no admin API at all, yet knows the namespace's token from the database.
    expect((await sendRaw(second.url, { path: '/_admin/namespaces', headers: jsonHeaders(ADMIN_TOKEN) })).status).toBe(
      404,
    );
    const set = await sendRaw(second.url, {
      method: 'PATCH',
      path: budgetPath(customer),
      headers: jsonHeaders(nsToken),
      body: '{"amount": 64}',
    });
    expect(set.status, set.text).toBe(200);
    const read = await sendRaw(first.url, { path: budgetPath(customer), headers: jsonHeaders(nsToken) });
    expect(amountOf(read)).toBe(64);
    expect(await rowsOf(name, namespace.id)).toBeGreaterThan(0);

    const deleted = await sendRaw(first.url, {
      method: 'DELETE',
      path: `/_admin/namespaces/${namespace.id}`,
      headers: jsonHeaders(ADMIN_TOKEN),
    });
    expect(deleted.status).toBe(204);
    expect(await rowsOf(name, namespace.id)).toBe(0);
    // A forgets at once; B within its cache's 2 s.
    expect((await sendRaw(first.url, { path: budgetPath(customer), headers: jsonHeaders(nsToken) })).status).toBe(401);
    let status = 0;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      status = (await sendRaw(second.url, { path: budgetPath(customer), headers: jsonHeaders(nsToken) })).status;
      if (status === 401) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(401);
  });

  it('sweep an expired namespace on whichever replica looks first, both looking at once, and leave no row of it', async () => {
    const sweeping = ['--namespace-sweep', '0.05'];
    const { name, servers } = await replicas(1, [...sweeping, '--admin-token', ADMIN_TOKEN]);
    const [first, second] = [...servers, ...(await replicaSets.startOn(name, config, 1, sweeping)).servers] as [
      ServerProcess,
      ServerProcess,
    ];
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        sendRaw(first.url, {
          method: 'POST',
          path: '/_admin/namespaces',
          headers: jsonHeaders(ADMIN_TOKEN),
          body: JSON.stringify({ ttlSeconds: 1, generatedCustomers: { count: 20, seed: 'sweep' } }),
        }),
      ),
    );
    const ids = answers.map((answer) => (JSON.parse(answer.text) as { id: string }).id);
    let left = -1;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      left = Number(await postgres.psql("SELECT count(*) FROM partners WHERE origin = 'namespace'", name));
      if (left === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(left).toBe(0);
    for (const id of ids) expect(await rowsOf(name, id)).toBe(0);
    // Both replicas still serve: no sweep failed them.
    for (const server of [first, second]) expect((await sendRaw(server.url, { path: '/readyz' })).status).toBe(200);
  });
});
