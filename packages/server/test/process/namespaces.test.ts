import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { budgetPath, jsonHeaders, type RawResponse, randomPartner, sendRaw } from '../../src/testing/index.js';
import { sendConforming } from '../support/spec-conformance.js';
import { useServer } from '../support/use-server.js';

// Namespaces: a throwaway partner per CI job, made by the admin API (its own token, given here
// by the environment, as the README advises). Jobs at the same time see nothing of each other.

const ADMIN_TOKEN = `admin-${randomUUID()}`;
const configPartner = randomPartner('Config partner', 2);
const server = useServer(
  { partners: [configPartner] },
  { env: { ...process.env, USAGEBUDGET_ADMIN_TOKEN: ADMIN_TOKEN }, args: ['--namespace-sweep', '0.2'] },
);

interface Namespace {
  id: string;
  name: string;
  tokens: { token: string; kind: 'app+user' | 'app-only' }[];
  customers: string[];
  expiresAt: string;
}

const admin = (method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN) =>
  sendRaw(server.current.url, {
    method,
    path: `/_admin${path}`,
    headers: jsonHeaders(token ?? undefined),
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
const json = <T = Record<string, unknown>>(response: RawResponse) => JSON.parse(response.text) as T;

async function createNamespace(body: Record<string, unknown>): Promise<Namespace> {
  const response = await admin('POST', '/namespaces', body);
  expect(response.status, response.text).toBe(201);
  expect(response.headers.location).toMatch(/^\/_admin\/namespaces\/[0-9a-f-]{36}$/);
  return json<Namespace>(response);
}
const userToken = (namespace: Namespace) => namespace.tokens.find(({ kind }) => kind === 'app+user')?.token as string;
const api = (token: string, path: string, method = 'GET', body?: unknown) =>
  sendConforming(server.current.url, {
    method,
    path,
    headers: jsonHeaders(token),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('namespaces made by the admin API', () => {
  it('hold the same customer ids side by side: budgets set in one are invisible in the other, and each lists only its own', async () => {
    const shared = [randomUUID(), randomUUID()];
    const [first, second] = await Promise.all(
      ['First job', 'Second job'].map((name) =>
        createNamespace({
          name,
          customers: shared.map((id, index) => ({ id, name: `${name} customer ${index}`, budget: 10 })),
        }),
      ),
    );
    if (!first || !second) throw new Error('two namespaces were made');
    expect(first.id).not.toBe(second.id);
    expect(first.customers).toEqual(shared);
    expect(userToken(first)).not.toBe(userToken(second));

    const set = await api(userToken(first), budgetPath(shared[0] as string), 'PATCH', { amount: 500 });
    expect(set.status).toBe(200);
    expect(json(await api(userToken(first), budgetPath(shared[0] as string)))).toMatchObject({ amount: 500 });
    expect(json(await api(userToken(second), budgetPath(shared[0] as string)))).toMatchObject({ amount: 10 });

    for (const [namespace, name] of [
      [first, 'First job'],
      [second, 'Second job'],
    ] as const) {
      const page = json<{ totalCount: number; items: { id: string; companyProfile: { companyName: string } }[] }>(
        await api(userToken(namespace), '/v1/customers'),
      );
      expect(page.totalCount).toBe(2);
      expect(page.items.map((item) => item.companyProfile.companyName)).toEqual([
        `${name} customer 0`,
        `${name} customer 1`,
      ]);
    }
    // The config's partner still lists its own customers, and nothing of the namespaces'.
    const configPage = json<{ items: { id: string }[] }>(await api(configPartner.tokens[0] as string, '/v1/customers'));
    expect(configPage.items.map((item) => item.id)).toEqual(configPartner.customers);
  });

  it("answer a namespace's token asking for another namespace's (or the config's) customer 404, as for a customer that exists nowhere", async () => {
    const mine = await createNamespace({ customers: [randomUUID()] });
    const theirs = await createNamespace({
      name: 'Secret Holdings',
      customers: [{ id: randomUUID(), name: 'Very Secret Ltd', cost: '123.45', budget: 999 }],
    });
    const theirCustomer = theirs.customers[0] as string;
    const nowhere = await api(userToken(mine), budgetPath(randomUUID()));
    expect(nowhere.status).toBe(404);
    const targets = [theirCustomer, configPartner.customers[0] as string];
    for (const customer of targets) {
      for (const path of [budgetPath(customer), `/v1/customers/${customer}/usagesummary`]) {
        const answer = await api(userToken(mine), path);
        expect(answer.status).toBe(404);
        expect(json(answer)).toEqual(json(nowhere));
        for (const secret of ['Very Secret', 'Secret Holdings', '123.45', '999', theirs.id, configPartner.id]) {
          expect(answer.text).not.toContain(secret);
        }
      }
      const patched = await api(userToken(mine), budgetPath(customer), 'PATCH', { amount: 1 });
      expect(patched.status).toBe(404);
    }
    // Nor does the config's token see into a namespace.
    const fromConfig = await api(configPartner.tokens[0] as string, budgetPath(theirCustomer));
    expect(fromConfig.status).toBe(404);
    expect(fromConfig.text).not.toContain('999');
    // Their budget was not touched by the attempts.
    expect(json(await api(userToken(theirs), budgetPath(theirCustomer)))).toMatchObject({ amount: 999 });
  });

  it('give an app+user and an app-only token, describe it, and refuse its tokens once it is deleted', async () => {
    const namespace = await createNamespace({ customers: [randomUUID()] });
    const appOnly = namespace.tokens.find(({ kind }) => kind === 'app-only')?.token as string;
    expect(appOnly).toBeDefined();
    const customer = namespace.customers[0] as string;
    expect((await api(userToken(namespace), budgetPath(customer))).status).toBe(200);
    const described = await admin('GET', `/namespaces/${namespace.id}`);
    expect(json(described)).toMatchObject({ id: namespace.id, customerCount: 1, expiresAt: namespace.expiresAt });

    const deleted = await admin('DELETE', `/namespaces/${namespace.id}`);
    expect(deleted.status).toBe(204);
    expect((await api(userToken(namespace), budgetPath(customer))).status).toBe(401);
    expect((await admin('GET', `/namespaces/${namespace.id}`)).status).toBe(404);
    expect((await admin('DELETE', `/namespaces/${namespace.id}`)).status).toBe(404);
  });

  it('start a namespace again from the customers a reset sends, keeping its tenant id and tokens', async () => {
    const first = randomUUID();
    const namespace = await createNamespace({ customers: [{ id: first, budget: 5 }] });
    await api(userToken(namespace), budgetPath(first), 'PATCH', { amount: 77 });
    const second = randomUUID();
    const reset = await admin('POST', `/namespaces/${namespace.id}/reset`, {
      customers: [{ id: first, budget: 5 }, second],
    });
    expect(reset.status, reset.text).toBe(200);
    expect(json(reset)).toEqual({ id: namespace.id, customers: [first, second] });
    expect(json(await api(userToken(namespace), budgetPath(first)))).toMatchObject({ amount: 5 });
    expect((await api(userToken(namespace), budgetPath(second))).status).toBe(200);
  });

  it('delete an expired namespace in the sweep: its token is refused at once, and its record goes', async () => {
    const namespace = await createNamespace({ ttlSeconds: 1, customers: [randomUUID()] });
    expect(Date.parse(namespace.expiresAt) - Date.now()).toBeLessThanOrEqual(1000);
    let status = 0;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      status = (await admin('GET', `/namespaces/${namespace.id}`)).status;
      if (status === 404) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(404);
    expect((await api(userToken(namespace), budgetPath(namespace.customers[0] as string))).status).toBe(401);
  });
});

describe('the admin API', () => {
  it("refuses a request without the admin token, with a wrong one, or with a partner's token; the partner API refuses the admin token", async () => {
    const body = { customers: [randomUUID()] };
    const missing = await admin('POST', '/namespaces', body, null);
    expect(missing.status).toBe(401);
    expect(json(missing)).toMatchObject({ code: 'AdminTokenMissing' });
    for (const token of [`${ADMIN_TOKEN}x`, 'wrong', configPartner.tokens[0] as string]) {
      const refused = await admin('POST', '/namespaces', body, token);
      expect(refused.status).toBe(401);
      expect(json(refused)).toMatchObject({ code: 'AdminTokenInvalid' });
    }
    const namespace = await createNamespace(body);
    expect((await admin('GET', `/namespaces/${namespace.id}`, undefined, userToken(namespace))).status).toBe(401);
    expect((await api(ADMIN_TOKEN, '/v1/customers')).status).toBe(401);
  });

  it('refuses bad input with every problem named, and bounds the body and the customers', async () => {
    const unknown = await admin('POST', '/namespaces', { tokens: ['mine'], id: randomUUID(), customers: [] });
    expect(unknown.status).toBe(400);
    expect(json<{ code: string; data: string[] }>(unknown)).toMatchObject({
      code: 'InvalidNamespace',
      data: [expect.stringMatching(/^tokens: unknown field/), expect.stringMatching(/^id: unknown field/)],
    });
    const badCustomer = await admin('POST', '/namespaces', {
      customers: ['not-a-guid', { id: randomUUID(), cost: 'x' }],
    });
    expect(badCustomer.status).toBe(400);
    const problems = json<{ data: string[] }>(badCustomer).data;
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/^customers\[0\]/m);
    expect(problems.join('\n')).toMatch(/^customers\[1\]\.cost/m);
    for (const ttlSeconds of [0, 86_401, 1.5, '60']) {
      const ttl = await admin('POST', '/namespaces', { ttlSeconds });
      expect(ttl.status).toBe(400);
      expect(json<{ data: string[] }>(ttl).data[0]).toMatch(/^ttlSeconds/);
    }
    const tooMany = await admin('POST', '/namespaces', { generatedCustomers: { count: 10_001, seed: 'x' } });
    expect(tooMany.status).toBe(400);
    const huge = await admin('POST', '/namespaces', JSON.stringify({ name: 'x'.repeat(1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect((await admin('POST', '/namespaces', '[1]')).status).toBe(400);
    expect((await admin('PUT', '/namespaces')).status).toBe(405);
    expect((await admin('GET', '/elsewhere')).status).toBe(404);
  });
});
