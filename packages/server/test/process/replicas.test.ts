import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  budgetPath,
  jsonHeaders,
  type RawResponse,
  randomPartner,
  type ServerProcess,
  type StartedPostgres,
  sendRaw,
  startPostgres,
  startServerProcess,
} from '../../src/testing/index.js';

// Issue 24: several server processes (replicas) on one PostgreSQL database, as behind a load
// balancer. What one replica acknowledged, every replica serves; a request that reaches two of
// them counts once.

const partner = randomPartner('Replicated partner', 24);
const token = partner.tokens[0] as string;
// Replicas share their config, its continuation token secret included.
const config = { partners: [partner], continuationTokenSecret: 'replicas share this secret, 32+ chars' };

let postgres: StartedPostgres;
let made = 0;
const running: ServerProcess[] = [];
/** `count` replicas on a fresh database, started at once. */
async function replicas(count: number) {
  const name = `replicas_${++made}`;
  const db = await postgres.createDatabase(name);
  const started = await Promise.all(
    Array.from({ length: count }, () => startServerProcess({ config, db, args: ['--no-access-log'] })),
  );
  running.push(...started);
  return { name, servers: started };
}
const patch = (server: ServerProcess, customer: string, amount: string, requestId = randomUUID()) =>
  sendRaw(server.url, {
    method: 'PATCH',
    path: budgetPath(customer),
    headers: jsonHeaders(token, { 'MS-RequestId': requestId }),
    body: `{"amount": ${amount}}`,
  });
const amountOf = (answer: RawResponse) => (JSON.parse(answer.text) as { amount: number | null }).amount;

beforeAll(async () => {
  postgres = await startPostgres({ settings: { fsync: 'off' } });
});
afterAll(async () => {
  await Promise.allSettled(running.map((server) => server.stop()));
  await postgres?.stop();
});

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

  it("open each other's continuation tokens", async () => {
    const { servers } = await replicas(2);
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
  });

  it('serve on every replica each write one of them acknowledged before it was killed with kill -9 mid-write', async () => {
    const { servers } = await replicas(2);
    const [doomed, survivor] = servers as [ServerProcess, ServerProcess];
    const acknowledged = new Map<string, number | null>();
    let killed = false;
    // Four writers, one PATCH per customer; the replica is killed once half are acknowledged,
    // with the others in flight.
    const queue = [...partner.customers];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let customer = queue.shift(); customer !== undefined; customer = queue.shift()) {
          const answer = await patch(doomed, customer, `${acknowledged.size + 1}.25`).catch(() => undefined);
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
    for (const [customer, amount] of acknowledged) {
      const read = await sendRaw(survivor.url, { path: budgetPath(customer), headers: jsonHeaders(token) });
      expect(amountOf(read), customer).toBe(amount);
    }
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
    const db = await postgres.createDatabase(`namespaces_${++made}`);
    const name = `namespaces_${made}`;
    const [first, second] = await Promise.all([
      startServerProcess({ config, db, args: ['--no-access-log', '--admin-token', ADMIN_TOKEN] }),
      startServerProcess({ config, db, args: ['--no-access-log'] }),
    ]);
    running.push(first, second);
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
    const db = await postgres.createDatabase(`namespaces_${++made}`);
    const name = `namespaces_${made}`;
    const sweeping = ['--no-access-log', '--namespace-sweep', '0.05'];
    const [first, second] = await Promise.all([
      startServerProcess({ config, db, args: [...sweeping, '--admin-token', ADMIN_TOKEN] }),
      startServerProcess({ config, db, args: sweeping }),
    ]);
    running.push(first, second);
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
