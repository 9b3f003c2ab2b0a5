import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { budgetPath, jsonHeaders, sendRaw } from '@usagebudget/server/testing';
import { describe, expect, it } from 'vitest';
import { customer, seed, token, unbudgeted, useSeededMock } from '../support/test-controls.js';

const server = useSeededMock();
const { admin, addFault, journal, call, getBudget } = server;

describe('reset', () => {
  it('puts the seeded budgets back and forgets replay records, rules and journal', async () => {
    const requestId = randomUUID();
    const patch = (amount: number) =>
      call({
        method: 'PATCH',
        path: budgetPath(customer),
        headers: jsonHeaders(token, { 'MS-RequestId': requestId }),
        body: JSON.stringify({ amount }),
      });
    expect((await patch(1)).status).toBe(200);
    expect((await patch(2)).status).toBe(409);
    await addFault({ operationId: 'getUsageBudget', status: 503 });
    expect((await admin('POST', '/reset')).status).toBe(204);
    expect(JSON.parse((await admin('GET', '/faults')).text)).toEqual({ rules: [] });
    expect((await journal()).entries).toEqual([]);
    expect(JSON.parse((await getBudget()).text)).toMatchObject({ amount: 250.5 });
    const summary = await call({ path: `/v1/customers/${customer}/usagesummary`, headers: jsonHeaders(token) });
    expect(JSON.parse(summary.text).budget).toMatchObject({ amount: 250.5 });
    // The request id's replay record went with the rest: it applies anew.
    expect(JSON.parse((await patch(2)).text)).toMatchObject({ amount: 2 });
  });
});

describe('reset, with requests accepted before it', () => {
  const patchUnbudgeted = (amount: number) =>
    sendRaw(server.url, {
      method: 'PATCH',
      path: budgetPath(unbudgeted),
      headers: jsonHeaders(token),
      body: JSON.stringify({ amount }),
    });
  const unbudgetedAmount = async () => JSON.parse((await getBudget(unbudgeted)).text).amount as unknown;
  /** Resolves once the journal has a request of this operation, still unanswered. */
  async function held(operationId: string) {
    for (;;) {
      const [entry] = (await journal(`?operationId=${operationId}`)).entries;
      if (entry) return entry;
    }
  }

  it('answers a request still delayed by a rule 409 MockReset, and never applies it', async () => {
    await addFault({ operationId: 'updateUsageBudget', delayMs: 5000, times: 1 });
    const patched = patchUnbudgeted(777);
    expect(await held('updateUsageBudget')).toMatchObject({ status: null });
    expect((await admin('POST', '/reset')).status).toBe(204);
    const answered = await patched;
    expect(answered.status).toBe(409);
    expect(JSON.parse(answered.text)).toMatchObject({ code: 'MockReset' });
    expect(answered.headers.connection).toBe('close');
    expect(await unbudgetedAmount()).toBeNull();
    // Neither applied after the reset, nor in the journal that began with it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await unbudgetedAmount()).toBeNull();
    expect((await journal('?operationId=updateUsageBudget')).entries).toEqual([]);
  });

  it('closes the connection of a request whose body is still arriving, and never applies it', async () => {
    const { hostname, port } = new URL(server.url);
    const body = JSON.stringify({ amount: 777 });
    const req = request({
      host: hostname,
      port,
      method: 'PATCH',
      path: budgetPath(unbudgeted),
      headers: jsonHeaders(token, { 'Content-Length': String(body.length) }),
      agent: false,
    });
    const outcome = new Promise<unknown>((resolve) => {
      req.on('response', (res) => resolve(res.statusCode));
      req.on('error', resolve);
    });
    req.write(body.slice(0, 5));
    await held('updateUsageBudget');
    expect((await admin('POST', '/reset')).status).toBe(204);
    req.end(body.slice(5));
    expect(await outcome).toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) });
    expect(await unbudgetedAmount()).toBeNull();
  });

  it('cancels them at a re-seed too', async () => {
    await addFault({ operationId: 'updateUsageBudget', delayMs: 5000, times: 1 });
    const patched = patchUnbudgeted(777);
    await held('updateUsageBudget');
    expect((await admin('PUT', '/seed', seed)).status).toBe(204);
    expect((await patched).status).toBe(409);
    expect(await unbudgetedAmount()).toBeNull();
  });
});
