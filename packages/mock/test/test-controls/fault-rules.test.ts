import { randomUUID } from 'node:crypto';
import { budgetPath, jsonHeaders, type RawRequest, sendRaw } from '@usagebudget/server/testing';
import { describe, expect, it } from 'vitest';
import { startMock } from '../../src/index.js';
import { MOCK_ADMIN_PATH } from '../../src/test-controls/control-surface.js';
import type { Journal } from '../../src/test-controls/journal.js';
import {
  CONTROL_HEADERS,
  customer,
  documentedErrors,
  firstExample,
  operations,
  requestOf,
  second,
  seed,
  token,
  useSeededMock,
} from '../support/test-controls.js';

const server = useSeededMock();
const { admin, addFault, journal, call, getBudget } = server;

const REGISTRATION = '/webhooks/v1/registration';
// A receiver on loopback (nothing listens on the discard port: deliveries wait for a retry).
const registration = JSON.stringify({ webhookUrl: 'http://127.0.0.1:9/events', webhookEvents: ['test-created'] });

/**
 * A request of the operation the mock answers the same way each time, with another status than
 * the fault's, a success where it can: a webhook operation gets the partner's registration first
 * (a body with a URL the mock may send to; a `POST` is then a repeatable 409, or, against a 409
 * fault, a repeatable 400 for a URL it may not send to), and a test event's status a test event.
 */
async function repeatableRequest(operation: (typeof operations)[number], status: number): Promise<RawRequest> {
  const request = requestOf(operation, customer, token);
  if (!operation.path.startsWith('/webhooks/')) return request;
  if (operation.operationId === 'createWebhookRegistration' && status === 409) return request;
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  expect((await call({ method: 'POST', path: REGISTRATION, headers, body: registration })).status).toBe(200);
  if (request.body !== undefined) return { ...request, body: registration };
  if (operation.operationId !== 'getWebhookValidationEvent') return request;
  const sent = await call({ method: 'POST', path: `${REGISTRATION}/validationEvents`, headers });
  const { correlationId } = JSON.parse(sent.text) as { correlationId: string };
  return { ...request, path: `${REGISTRATION}/validationEvents/${correlationId}` };
}

describe('fault rules', () => {
  // Spec-driven: every documented error status of every operation, answered with its first example.
  const cases = operations.flatMap((operation) =>
    documentedErrors(operation).map((status) => [operation.operationId, status, operation] as const),
  );
  it.each(cases)(
    '%s %i: answers the spec example once, then serves as usual',
    async (operationId, status, operation) => {
      const request = await repeatableRequest(operation, status);
      // What the server answers this request without a fault, before and after the one fault.
      const usual = (await call(request)).status;
      const added = await addFault({ operationId, status, times: 1 });
      expect(added).toMatchObject({ rule: { operationId, status, times: 1 }, matched: 0, remaining: 1 });
      const requestId = randomUUID();
      const faulted = await call({ ...request, headers: { ...request.headers, 'MS-RequestId': requestId } });
      expect(faulted.status).toBe(status);
      expect(JSON.parse(faulted.text)).toEqual(firstExample(operation, status));
      expect(faulted.headers['ms-requestid']).toBe(requestId);
      expect((await call(request)).status).toBe(usual);
      expect(usual).not.toBe(status);
      expect(JSON.parse((await admin('GET', '/faults')).text)).toEqual({ rules: [] });
    },
  );

  it('sends Retry-After as told, 1 s by default where the spec documents it', async () => {
    await addFault({ status: 429, retryAfter: 0, times: 1 });
    await addFault({ status: 429, times: 1 });
    await addFault({ status: 503, retryAfter: 5, times: 1 });
    expect((await getBudget()).headers['retry-after']).toBe('0');
    expect((await getBudget()).headers['retry-after']).toBe('1');
    const unavailable = await sendRaw(server.url, { path: budgetPath(customer), headers: jsonHeaders(token) });
    expect([unavailable.status, unavailable.headers['retry-after']]).toEqual([503, '5']);
  });

  it('picks the named example', async () => {
    await addFault({ operationId: 'getUsageBudget', status: 403, example: 'roleLacksRights' });
    expect(JSON.parse((await getBudget()).text)).toMatchObject({ code: 900150 });
  });

  it('matches by method, operation and customer, first rule first, and always when no times', async () => {
    const rule = await addFault({ method: 'GET', customer: second.toUpperCase(), status: 500 });
    await addFault({ status: 503 });
    expect((await getBudget(second)).status).toBe(500);
    expect((await getBudget(second)).status).toBe(500);
    expect((await getBudget(customer)).status).toBe(503);
    expect(JSON.parse((await admin('GET', '/faults')).text).rules[0]).toEqual({ ...rule, matched: 2 });
    expect((await admin('DELETE', `/faults/${rule.id}`)).status).toBe(204);
    expect((await admin('DELETE', `/faults/${rule.id}`)).status).toBe(404);
    expect((await getBudget(second)).status).toBe(503);
    expect((await admin('DELETE', '/faults')).status).toBe(204);
    expect((await getBudget(second)).status).toBe(200);
  });

  it('matches the usage reads by operation and customer', async () => {
    await addFault({ operationId: 'getCustomerUsageSummary', customer: second, status: 503 });
    await addFault({ operationId: 'listCustomers', status: 429, retryAfter: 2, times: 1 });
    const get = (path: string) => sendRaw(server.url, { path, headers: jsonHeaders(token) });
    expect((await get(`/v1/customers/${second}/usagesummary`)).status).toBe(503);
    expect((await get(`/v1/customers/${customer}/usagesummary`)).status).toBe(200);
    expect((await getBudget(second)).status).toBe(200);
    const throttled = await get('/v1/customers?size=1');
    expect([throttled.status, throttled.headers['retry-after']]).toEqual([429, '2']);
    expect((await get('/v1/customers?size=1')).status).toBe(200);
    const listed = (await journal('?operationId=listCustomers')).entries;
    expect(listed.map((entry) => [entry.query, entry.status, entry.customer])).toEqual([
      ['size=1', 429, null],
      ['size=1', 200, null],
    ]);
  });

  it('drops the connection once the request has arrived', async () => {
    await addFault({ operationId: 'updateUsageBudget', drop: true, times: 1 });
    const request: RawRequest = {
      method: 'PATCH',
      path: budgetPath(customer),
      headers: jsonHeaders(token),
      body: '{"amount": 9}',
    };
    await expect(sendRaw(server.url, request)).rejects.toMatchObject({ code: 'ECONNRESET' });
    const [entry] = (await journal('?operationId=updateUsageBudget')).entries;
    expect(entry).toMatchObject({ status: null, body: { amount: 9 }, fault: expect.any(String) });
    // Nothing was applied: the request never reached the API.
    expect(JSON.parse((await getBudget()).text)).toMatchObject({ amount: 250.5 });
  });

  it('delays a request, then serves it as usual', async () => {
    await addFault({ delayMs: 20, times: 1 });
    const response = await getBudget();
    expect(JSON.parse(response.text)).toMatchObject({ amount: 250.5 });
  });

  it('lets close() cut a request still being delayed instead of waiting for it', async () => {
    const own = await startMock({ seed });
    const held = sendRaw(own.url, {
      method: 'POST',
      path: `${MOCK_ADMIN_PATH}/faults`,
      headers: { ...CONTROL_HEADERS, 'Content-Type': 'application/json' },
      body: '{"delayMs": 300000}',
    }).then(() => sendRaw(own.url, { path: budgetPath(customer), headers: jsonHeaders(token) }));
    const caught = held.catch((error: NodeJS.ErrnoException) => error);
    // The request is in the journal, unanswered: the delay holds it.
    let entries: Journal['entries'] = [];
    while (entries.length === 0) {
      const read = await sendRaw(own.url, { path: `${MOCK_ADMIN_PATH}/journal`, headers: CONTROL_HEADERS });
      entries = (JSON.parse(read.text) as Journal).entries;
    }
    expect(entries[0]?.status).toBeNull();
    await own.close();
    expect(await caught).toMatchObject({ code: 'ECONNRESET' });
  });

  it.each([
    [
      { operationId: 'getBudgett', status: 500 },
      ['operationId'],
      /getBudgett" is not an operation of the spec \(it has getUsageBudget/,
    ],
    [{ operationId: 'getUsageBudget', method: 'PATCH', status: 500 }, ['method'], /PATCH never matches getUsageBudget/],
    [{ status: 600 }, ['status'], /status must be <= 599/],
    [{ status: 500, colour: 'red' }, ['colour'], /unknown property 'colour'/],
    [{ operationId: 'getUsageBudget' }, ['status', 'drop', 'delayMs'], /needs status, drop or delayMs/],
    [{ status: 500, drop: true }, ['status', 'drop'], /exclude each other/],
    [{ drop: true, retryAfter: 1 }, ['retryAfter'], /retryAfter needs status/],
    [{ status: 500, example: 'unexpected' }, ['example'], /example needs status and operationId/],
    [
      { operationId: 'getUsageBudget', status: 500, example: 'nope' },
      ['example'],
      /"nope" is not an example of getUsageBudget 500 \(unexpected\)/,
    ],
    [{ customer: 'abc', times: 0, delayMs: 1 }, ['customer', 'times'], /customer must match format "uuid"/],
    [
      { operationId: 'listCustomerUsageRecords', customer: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1', status: 500 },
      ['customer'],
      /customer never matches listCustomerUsageRecords, whose path \/v1\/customers\/usagerecords names no customer/,
    ],
  ])('refuses %j, naming %j', async (rule, fields, message) => {
    const response = await admin('POST', '/faults', rule);
    expect(response.status).toBe(400);
    const body = JSON.parse(response.text);
    expect(body).toMatchObject({ code: 'InvalidFaultRule', data: fields });
    expect(body.description).toMatch(message);
    expect(JSON.parse((await admin('GET', '/faults')).text)).toEqual({ rules: [] });
  });

  it('refuses a body that is not JSON', async () => {
    const response = await admin('POST', '/faults', '{"status": ');
    expect([response.status, JSON.parse(response.text).code]).toEqual([400, 800002]);
  });
});

describe('Prefer, as Prism reads it', () => {
  it('answers the error status and example a request asks for, before any rule', async () => {
    await addFault({ status: 500 });
    const unavailable = await getBudget(customer, { Prefer: 'code=503' });
    expect([unavailable.status, JSON.parse(unavailable.text).code]).toEqual([503, 'ServiceUnavailable']);
    const invalid = await getBudget(customer, { Prefer: 'code=400, example=invalidHeader' });
    expect(JSON.parse(invalid.text)).toMatchObject({ code: 800002, data: ['MS-RequestId'] });
    expect((await getBudget()).status).toBe(500);
  });

  it('serves successes from the state, and refuses a Prefer it cannot honour', async () => {
    expect(JSON.parse((await getBudget(customer, { Prefer: 'code=200, example=noBudget' })).text)).toMatchObject({
      amount: 250.5,
    });
    for (const prefer of ['code=abc', 'code=404, example=nope']) {
      const response = await sendRaw(server.url, {
        path: budgetPath(customer),
        headers: jsonHeaders(token, { Prefer: prefer }),
      });
      expect(response.status, prefer).toBe(400);
      expect(JSON.parse(response.text)).toMatchObject({ code: 'InvalidPrefer', data: ['Prefer'] });
    }
  });
});
