import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ActiveFaultRule,
  type Journal,
  type RunningServer,
  type Seed,
  startServer,
  TEST_CONTROLS_PATH,
  testControlsSpec,
} from '../../src/index.js';
import { randomPartner } from '../../src/testing/index.js';
import { budgetPath, jsonHeaders, type RawRequest, type RawResponse, send } from '../support/http.js';
import { specViolations } from '../support/spec-conformance.js';
import { adminViolations, documentedErrors, firstExample, operations, requestOf } from '../support/test-controls.js';

const partner = randomPartner('Mock partner', 3);
const other = randomPartner('Other partner', 1);
const token = partner.tokens[0] as string;
const [customer, second, unbudgeted] = partner.customers as [string, string, string];
// Customers with usage: 200.4 of a 250.5 budget is 80% (trending over); the second spends euros
// with no budget; the third is a GUID alone (an Azure plan in USD with no cost yet).
const seed: Seed = {
  partners: [
    {
      ...partner,
      billingPeriod: { start: '2024-05-01T00:00:00+00:00', end: '2024-06-01T00:00:00+00:00' },
      customers: [
        { id: customer, name: 'Seeded Ltd', cost: '200.4', budget: 250.5 },
        { id: second, currency: 'EUR', cost: '12.50000000000000000001', usdCost: '13.6' },
        unbudgeted,
      ],
    },
    other,
  ],
};

let server: RunningServer;

/** What every request of the test controls must carry. */
const CONTROL_HEADERS = { 'X-Usagebudget-Mock': '1' };

/** A request of the test controls, checked against their spec. */
async function admin(method: string, path: string, body?: unknown): Promise<RawResponse> {
  const response = await send(server.url, {
    method,
    path: `${TEST_CONTROLS_PATH}${path}`,
    ...(body === undefined
      ? { headers: CONTROL_HEADERS }
      : {
          headers: { ...CONTROL_HEADERS, 'Content-Type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
  });
  expect(adminViolations(method, `${TEST_CONTROLS_PATH}${path}`, response), `${method} ${path}`).toEqual([]);
  return response;
}

const addFault = async (rule: Record<string, unknown>) => {
  const response = await admin('POST', '/faults', rule);
  expect(response.status, response.text).toBe(201);
  return JSON.parse(response.text) as ActiveFaultRule;
};
const journal = async (query = '') => JSON.parse((await admin('GET', `/journal${query}`)).text) as Journal;

/** A request of the API, checked against the API's spec. */
async function call(request: RawRequest): Promise<RawResponse> {
  const response = await send(server.url, request);
  expect(specViolations(request.method ?? 'GET', request.path, response), request.path).toEqual([]);
  return response;
}
const getBudget = (customerId = customer, headers: Record<string, string> = {}) =>
  call({ path: budgetPath(customerId), headers: jsonHeaders(token, headers) });

beforeAll(async () => {
  server = await startServer({ port: 0, db: ':memory:', testControls: { seed } });
});
afterAll(() => server?.close());
beforeEach(async () => {
  expect((await admin('POST', '/reset')).status).toBe(204);
});

describe('a normal server', () => {
  it('answers 404 at every path of the test controls, whatever the method', async () => {
    const normal = await startServer({ port: 0, db: ':memory:', config: { partners: [partner] } });
    try {
      for (const [path, item] of Object.entries(testControlsSpec.paths)) {
        for (const method of Object.keys(item ?? {}).filter((key) => key !== 'parameters')) {
          const response = await send(normal.url, {
            method: method.toUpperCase(),
            path: path.replace('{id}', '1'),
            headers: jsonHeaders(token),
            body: method === 'get' ? undefined : '{}',
          });
          expect(response.status, `${method} ${path}`).toBe(404);
          expect(JSON.parse(response.text)).toMatchObject({ code: 'NotFound' });
        }
      }
    } finally {
      await normal.close();
    }
  });
});

describe('the seed', () => {
  it('gives the budgets it lists, and none to the other customers', async () => {
    expect(JSON.parse((await getBudget()).text)).toMatchObject({ amount: 250.5 });
    expect(JSON.parse((await getBudget(second)).text)).toMatchObject({ amount: null });
    expect(JSON.parse((await getBudget(unbudgeted)).text)).toMatchObject({ amount: null });
  });

  it('gives the customer list, usage summaries and records it lists, derived as from a config', async () => {
    const get = async (path: string) => {
      const response = await call({ path, headers: jsonHeaders(token) });
      expect(response.status, path).toBe(200);
      return { text: response.text, body: JSON.parse(response.text) };
    };
    const list = await get('/v1/customers');
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([customer, second, unbudgeted]);
    expect(list.body.items[0].companyProfile.companyName).toBe('Seeded Ltd');
    const summary = await get(`/v1/customers/${second}/usagesummary`);
    expect(summary.body).toMatchObject({
      resourceId: second,
      currencyCode: 'EUR',
      billingStartDate: '2024-05-01T00:00:00+00:00',
    });
    // Every digit of the seeded cost reaches the wire.
    expect(summary.text).toContain('"totalCost":12.50000000000000000001');
    const records = await get('/v1/customers/usagerecords');
    expect(
      records.body.items.map((item: { resourceId: string; percentUsed: number }) => [
        item.resourceId,
        item.percentUsed,
      ]),
    ).toEqual([
      [customer, 80],
      [second, 0],
      [unbudgeted, 0],
    ]);
    expect((await get('/v1/usagesummary')).body).toMatchObject({
      customersTrendingOver: 1,
      customersOverBudget: 0,
      customersWithUsageBasedSubscription: 3,
    });
  });

  it('is refused at the start with every bad field named', async () => {
    const bad = {
      partners: [
        {
          ...partner,
          customers: [
            'not-a-guid',
            { id: customer, cost: 28.5, budget: -1 },
            { id: second, currency: 'euro', offer: 'none', cost: '1' },
          ],
        },
        { ...other, tokens: ['bad token'] },
      ],
    };
    const started = startServer({ port: 0, db: ':memory:', testControls: { seed: bad } });
    await expect(started).rejects.toThrow(/^seed: 6 problems:/);
    const error = (await started.catch((caught: unknown) => caught)) as { problems: string[] };
    expect(error.problems).toEqual([
      'partners[0].customers[0] must be a GUID',
      'partners[0].customers[1].budget must be a number of at least 0, or null for no budget',
      'partners[0].customers[1].cost must be a string of decimal digits such as "28.82860766744404945074": a JSON number loses digits',
      'partners[0].customers[2].currency is usage, which a customer without a usage-based subscription (offer none) has not',
      'partners[0].customers[2].cost is usage, which a customer without a usage-based subscription (offer none) has not',
      'partners[1].tokens[0] must be a bearer token (letters, digits and -._~+/, then any =)',
    ]);
  });

  it('is replaced by PUT /_mock/seed: new partners and customers serve, old tokens do not', async () => {
    const newcomer = randomPartner('Newcomer');
    const [newCustomer] = newcomer.customers as [string];
    const replacement = { partners: [{ ...newcomer, customers: [{ id: newCustomer, cost: '9', budget: 7 }] }] };
    expect((await admin('PUT', '/seed', replacement)).status).toBe(204);
    try {
      expect(JSON.parse((await admin('GET', '/seed')).text)).toEqual(replacement);
      const headers = jsonHeaders(newcomer.tokens[0]);
      const answer = await call({ path: budgetPath(newCustomer), headers });
      expect(JSON.parse(answer.text)).toMatchObject({ amount: 7 });
      const records = await call({ path: '/v1/customers/usagerecords', headers });
      expect(JSON.parse(records.text).items).toMatchObject([{ resourceId: newCustomer, percentUsed: 128.57 }]);
      expect((await getBudget()).status).toBe(401);
    } finally {
      expect((await admin('PUT', '/seed', seed)).status).toBe(204);
    }
    expect((await getBudget()).status).toBe(200);
  });

  it('is kept when a replacement is invalid, and the 400 lists every problem', async () => {
    const response = await admin('PUT', '/seed', { partners: [], colour: 'red' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toMatchObject({
      code: 'InvalidSeed',
      data: ['the config has unknown keys: colour', 'partners must list at least one partner'],
    });
    expect((await getBudget()).status).toBe(200);
  });
});

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
    send(server.url, {
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

describe('fault rules', () => {
  // Spec-driven: every documented error status of every operation, answered with its first example.
  const cases = operations.flatMap((operation) =>
    documentedErrors(operation).map((status) => [operation.operationId, status, operation] as const),
  );
  it.each(cases)(
    '%s %i: answers the spec example once, then serves as usual',
    async (operationId, status, operation) => {
      const request = requestOf(operation, customer, token);
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
    const unavailable = await send(server.url, { path: budgetPath(customer), headers: jsonHeaders(token) });
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
    const get = (path: string) => send(server.url, { path, headers: jsonHeaders(token) });
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
    await expect(send(server.url, request)).rejects.toMatchObject({ code: 'ECONNRESET' });
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
    const own = await startServer({ port: 0, db: ':memory:', testControls: { seed } });
    const held = send(own.url, {
      method: 'POST',
      path: `${TEST_CONTROLS_PATH}/faults`,
      headers: { ...CONTROL_HEADERS, 'Content-Type': 'application/json' },
      body: '{"delayMs": 300000}',
    }).then(() => send(own.url, { path: budgetPath(customer), headers: jsonHeaders(token) }));
    const caught = held.catch((error: NodeJS.ErrnoException) => error);
    // The request is in the journal, unanswered: the delay holds it.
    let entries: Journal['entries'] = [];
    while (entries.length === 0) {
      const read = await send(own.url, { path: `${TEST_CONTROLS_PATH}/journal`, headers: CONTROL_HEADERS });
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
      const response = await send(server.url, {
        path: budgetPath(customer),
        headers: jsonHeaders(token, { Prefer: prefer }),
      });
      expect(response.status, prefer).toBe(400);
      expect(JSON.parse(response.text)).toMatchObject({ code: 'InvalidPrefer', data: ['Prefer'] });
    }
  });
});

describe('the journal', () => {
  it('keeps every request of the API with its operation, customer, redacted headers, body and answer', async () => {
    const rule = await addFault({ operationId: 'updateUsageBudget', status: 503, times: 1 });
    const requestId = randomUUID();
    const patch = (amount: number) =>
      send(server.url, {
        method: 'PATCH',
        path: `${budgetPath(customer.toUpperCase())}?trace=1`,
        headers: jsonHeaders(token, { 'MS-RequestId': requestId }),
        body: JSON.stringify({ amount }),
      });
    expect((await patch(12)).status).toBe(503);
    expect((await patch(12)).status).toBe(200);
    await send(server.url, { path: '/nowhere' });
    const { entries, dropped } = await journal();
    expect(dropped).toBe(0);
    expect(entries).toHaveLength(3);
    const [first, retry, nowhere] = entries as [
      Journal['entries'][number],
      Journal['entries'][number],
      Journal['entries'][number],
    ];
    expect(first).toMatchObject({
      method: 'PATCH',
      path: budgetPath(customer.toUpperCase()),
      query: 'trace=1',
      operationId: 'updateUsageBudget',
      customer,
      body: { amount: 12 },
      status: 503,
      fault: rule.id,
    });
    expect(first.headers.authorization).toBe('Bearer [redacted]');
    expect(JSON.stringify(entries)).not.toContain(token);
    expect(retry).toMatchObject({ status: 200, fault: null, id: first.id + 1 });
    expect(retry.headers['ms-requestid']).toBe(requestId);
    expect(nowhere).toMatchObject({ operationId: null, customer: null, status: 404, body: null });
  });

  it('redacts every credential a header (or a query parameter) carries, whatever its format, and keeps the rest', async () => {
    const secret = (n: number) => `s3cr3t-${n}-${randomUUID()}`;
    const secrets: string[] = [];
    const sent = (n: number) => {
      const value = secret(n);
      secrets.push(value);
      return value;
    };
    const get = (headers: Record<string, string>, query = '') =>
      send(server.url, { path: `${budgetPath(customer)}${query}`, headers });
    await get({ Authorization: `Bearer\t${sent(1)}` });
    await get({ Authorization: sent(2) });
    await get({ Authorization: `bEaReR   ${sent(3)}` });
    await get({ authorization: `Basic ${sent(4)}` }, `?access_token=${sent(5)}&trace=1&API_KEY=${sent(6)}`);
    const continuation = 'v1.not-a-secret.paging';
    await get({
      Authorization: `Bearer ${token}`,
      'Proxy-Authorization': `Basic ${sent(7)}`,
      Cookie: `session=${sent(8)}; theme=dark`,
      'Set-Cookie': `id=${sent(9)}`,
      'X-Api-Key': sent(10),
      'X-Auth-Token': sent(11),
      'X-Client-Secret': sent(12),
      'Ocp-Apim-Subscription-Key': sent(13),
      'X-Functions-Key': sent(14),
      'X-Amz-Security-Token': sent(15),
      'X-Ms-Token-Aad-Access-Token': sent(16),
      'X-Password': sent(17),
      DPoP: sent(18),
      'MS-ContinuationToken': continuation,
      'X-Locale': 'en-GB',
      'User-Agent': 'journal-test',
    });
    const { entries } = await journal();
    const text = JSON.stringify(entries);
    for (const value of [token, ...secrets]) expect(text, value).not.toContain(value);
    expect(entries.map((entry) => entry.headers.authorization)).toEqual([
      'Bearer [redacted]',
      '[redacted]',
      'bEaReR [redacted]',
      'Basic [redacted]',
      'Bearer [redacted]',
    ]);
    expect(entries[3]?.query).toBe('access_token=[redacted]&trace=1&API_KEY=[redacted]');
    expect(entries[4]?.headers).toMatchObject({
      'proxy-authorization': 'Basic [redacted]',
      cookie: '[redacted]',
      'set-cookie': ['[redacted]'],
      'x-api-key': '[redacted]',
      'x-auth-token': '[redacted]',
      'x-client-secret': '[redacted]',
      'ocp-apim-subscription-key': '[redacted]',
      'x-functions-key': '[redacted]',
      'x-amz-security-token': '[redacted]',
      'x-ms-token-aad-access-token': '[redacted]',
      'x-password': '[redacted]',
      dpop: '[redacted]',
      // The API's own headers carry no credential, though one is named a token: kept.
      'ms-continuationtoken': continuation,
      'x-locale': 'en-GB',
      'user-agent': 'journal-test',
    });
  });

  it('filters by method, operation, customer and status, refuses unknown filters, and clears', async () => {
    await getBudget(customer);
    await getBudget(second);
    await call({ method: 'PATCH', path: budgetPath(second), headers: jsonHeaders(token), body: '{"amount": 3}' });
    expect((await journal(`?customer=${second.toUpperCase()}`)).entries).toHaveLength(2);
    expect((await journal('?method=patch')).entries.map((entry) => entry.customer)).toEqual([second]);
    expect((await journal('?operationId=getUsageBudget&status=200')).entries).toHaveLength(2);
    expect((await journal('?status=404')).entries).toHaveLength(0);
    const refused = await admin('GET', '/journal?colour=red');
    expect([refused.status, JSON.parse(refused.text).data]).toEqual([400, ['colour']]);
    expect((await admin('DELETE', '/journal')).status).toBe(204);
    expect((await journal()).entries).toEqual([]);
  });
});

describe('the journal, bounded by bytes', () => {
  it('keeps 32 MiB by default', async () => {
    expect(await journal()).toMatchObject({ entries: [], dropped: 0, bytes: 0, maxBytes: 32 * 1024 * 1024 });
  });

  it('keeps the newest requests within its budget, counts those it drops, and cuts a body past 64 KiB with a marker', async () => {
    const maxBytes = 300_000;
    const own = await startServer({ port: 0, db: ':memory:', testControls: { seed, journalMaxBytes: maxBytes } });
    try {
      const read = async () => {
        const response = await send(own.url, { path: `${TEST_CONTROLS_PATH}/journal`, headers: CONTROL_HEADERS });
        expect(adminViolations('GET', `${TEST_CONTROLS_PATH}/journal`, response)).toEqual([]);
        return JSON.parse(response.text) as Journal;
      };
      // 59 KB each: a budget of 300 KB holds four of them with their headers, not five.
      const padded = (amount: number) => JSON.stringify({ amount, padding: 'x'.repeat(59 * 1024) });
      for (let amount = 1; amount <= 10; amount++) {
        const response = await send(own.url, {
          method: 'PATCH',
          path: budgetPath(customer),
          headers: jsonHeaders(token),
          body: padded(amount),
        });
        expect(response.status).toBe(200);
      }
      const bounded = await read();
      expect(bounded.maxBytes).toBe(maxBytes);
      expect(bounded.bytes).toBeGreaterThan(4 * 59 * 1024);
      expect(bounded.bytes).toBeLessThanOrEqual(maxBytes);
      expect(bounded.entries.map((entry) => (entry.body as { amount: number }).amount)).toEqual([7, 8, 9, 10]);
      expect(bounded.dropped).toBe(6);
      expect(bounded.entries[3]).toMatchObject({ bodyBytes: padded(10).length, bodyTruncated: false });

      const oversized = `{"amount": 1, "padding": "${'y'.repeat(70_000)}"}`;
      const refused = await send(own.url, {
        method: 'PATCH',
        path: budgetPath(customer),
        headers: jsonHeaders(token),
        body: oversized,
      });
      expect(refused.status).toBe(413);
      const [last] = (await read()).entries.slice(-1);
      expect(last).toMatchObject({ status: 413, bodyBytes: oversized.length, bodyTruncated: true });
      expect(last?.body).toBe(oversized.slice(0, 64 * 1024));
    } finally {
      await own.close();
    }
  });
});

describe('the controls, against requests a web page could send', () => {
  const reset = (headers: Record<string, string>, body?: string) =>
    send(server.url, { method: 'POST', path: `${TEST_CONTROLS_PATH}/reset`, headers, ...(body ? { body } : {}) });
  const refusal = (response: RawResponse) => [response.status, JSON.parse(response.text).code];

  it('refuse a request without the X-Usagebudget-Mock header, which no page can send elsewhere unasked', async () => {
    // A form or a fetch() with no-cors from any page: a "simple" request, sent with no preflight.
    const simple = await reset({ 'Content-Type': 'text/plain' }, 'x');
    expect(refusal(simple)).toEqual([403, 'MockHeaderRequired']);
    expect(JSON.parse(simple.text).description).toContain('X-Usagebudget-Mock: 1');
    const read = await send(server.url, { path: `${TEST_CONTROLS_PATH}/journal` });
    expect(refusal(read)).toEqual([403, 'MockHeaderRequired']);
    expect(adminViolations('GET', `${TEST_CONTROLS_PATH}/journal`, read)).toEqual([]);
  });

  it('refuse a body that is not JSON, whatever the route', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await reset({ ...CONTROL_HEADERS, 'Content-Type': type }, 'x');
      expect(refusal(response), type).toEqual([415, 'UnsupportedMediaType']);
    }
    const bodyWithoutType = await reset(CONTROL_HEADERS, 'x');
    expect(refusal(bodyWithoutType)).toEqual([415, 'UnsupportedMediaType']);
  });

  it('refuse a Host that is not loopback, an IP address or an allowed host (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    for (const foreign of [`attacker.example:${port}`, `127.0.0.1.nip.io:${port}`, 'localhost.attacker.example']) {
      const response = await reset({ ...CONTROL_HEADERS, Host: foreign });
      expect(refusal(response), foreign).toEqual([421, 'MisdirectedRequest']);
      expect(adminViolations('POST', `${TEST_CONTROLS_PATH}/reset`, response)).toEqual([]);
    }
    for (const local of [
      new URL(server.url).host,
      `localhost:${port}`,
      `[::1]:${port}`,
      `app.localhost:${port}`,
      `10.1.2.3:${port}`,
    ]) {
      expect((await reset({ ...CONTROL_HEADERS, Host: local })).status, local).toBe(204);
    }
  });

  it('refuse a page of a foreign origin, and give no CORS consent', async () => {
    for (const origin of ['https://attacker.example', 'null']) {
      const response = await reset({ ...CONTROL_HEADERS, Origin: origin });
      expect(refusal(response), origin).toEqual([403, 'CrossOriginRequest']);
    }
    expect((await reset({ ...CONTROL_HEADERS, Origin: `http://localhost:3000` })).status).toBe(204);
    const preflight = await send(server.url, {
      method: 'OPTIONS',
      path: `${TEST_CONTROLS_PATH}/reset`,
      headers: { Origin: 'https://attacker.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('let in host names they are told to allow', async () => {
    const own = await startServer({ port: 0, db: ':memory:', testControls: { seed, allowedHosts: ['Mock'] } });
    try {
      const port = new URL(own.url).port;
      const to = (hostHeader: string) =>
        send(own.url, {
          method: 'POST',
          path: `${TEST_CONTROLS_PATH}/reset`,
          headers: { ...CONTROL_HEADERS, Host: hostHeader },
        });
      expect((await to(`mock:${port}`)).status).toBe(204);
      expect((await to(`other:${port}`)).status).toBe(421);
    } finally {
      await own.close();
    }
  });

  it('leave the API alone: it needs none of this', async () => {
    expect((await getBudget(customer, { Origin: 'https://attacker.example' })).status).toBe(200);
  });
});

describe('the test controls’ own spec', () => {
  it('is a valid OpenAPI 3.0 document, served at /_mock/openapi.json', async () => {
    await SwaggerParser.validate(structuredClone(testControlsSpec));
    expect(JSON.parse((await admin('GET', '/openapi.json')).text)).toEqual(testControlsSpec);
  });

  it('describes every route: unknown paths are 404, other methods 405', async () => {
    expect((await send(server.url, { path: `${TEST_CONTROLS_PATH}/nope`, headers: CONTROL_HEADERS })).status).toBe(404);
    const wrong = await send(server.url, {
      method: 'PATCH',
      path: `${TEST_CONTROLS_PATH}/journal`,
      headers: CONTROL_HEADERS,
    });
    expect([wrong.status, wrong.headers.allow]).toEqual([405, 'GET, DELETE']);
  });
});
