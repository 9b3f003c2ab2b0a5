import { readFileSync } from 'node:fs';
import { NotFoundError, RateLimitError, UsageBudgetClient } from '@usagebudget/client';
import { spec } from '@usagebudget/openapi';
import { responseExamples, specOperations } from '@usagebudget/openapi/operations';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, createWebhookRegistry, operationIds, override } from '../src/msw.js';

const operations = specOperations(spec);
// A customer no example of the spec names: every operation answers its first example for it.
const customer = '7d1e3a55-2b8c-4f0e-9a6d-5c3b1e7f9a24';
const exampleCustomer = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';
const server = setupServer(...createHandlers());
const BASE = 'https://api.partnercenter.microsoft.com';
const WEBHOOK_OPERATIONS = [
  'listWebhookEvents',
  'getWebhookRegistration',
  'createWebhookRegistration',
  'updateWebhookRegistration',
  'createWebhookValidationEvent',
  'getWebhookValidationEvent',
];

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A request of an operation, every path placeholder filled with the customer. */
function send(operation: (typeof operations)[number], headers: Record<string, string> = {}) {
  return fetch(`${BASE}${operation.path.replace(/\{[^}]+\}/g, customer)}`, {
    method: operation.method.toUpperCase(),
    headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json', ...headers },
    ...(operation.requestBody ? { body: '{"amount": 1}' } : {}),
  });
}

const examplesOf = (operation: (typeof operations)[number], status: string) => {
  const response = operation.responses.find((each) => each.status === status);
  return response ? responseExamples(spec, response) : [];
};

describe('the generated handlers', () => {
  it('cover every operation of the spec', () => {
    expect(operationIds).toEqual(operations.map((operation) => operation.operationId));
    expect(createHandlers()).toHaveLength(operations.length);
  });

  it.each(operations.map((operation) => [operation.operationId, operation] as const))(
    '%s answers its first success example (the webhook operations: their state), and every documented response by Prefer',
    async (_, operation) => {
      const success = operation.responses.find(({ status }) => /^2\d\d$/.test(status));
      if (!WEBHOOK_OPERATIONS.includes(operation.operationId)) {
        const answer = await send(operation);
        expect(answer.status).toBe(Number(success?.status));
        expect(await answer.json()).toEqual(examplesOf(operation, success?.status ?? '')[0]?.value);
      }
      for (const { status } of operation.responses) {
        for (const example of examplesOf(operation, status)) {
          const preferred = await send(operation, { Prefer: `code=${status}, example=${example.name}` });
          expect(preferred.status, `${status} ${example.name}`).toBe(Number(status));
          expect(await preferred.json()).toEqual(example.value);
        }
      }
    },
  );

  it('answer the documented 401 without Authorization, and echo the tracing ids', async () => {
    const [get] = operations;
    const response = await fetch(`${BASE}${get?.path.replace(/\{[^}]+\}/, customer)}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(examplesOf(get as (typeof operations)[number], '401')[0]?.value);
    const requestId = '11111111-2222-4333-8444-555555555555';
    const echoed = await send(get as (typeof operations)[number], { 'MS-RequestId': requestId });
    expect(echoed.headers.get('ms-requestid')).toBe(requestId);
  });

  it('refuse a Prefer they cannot honour, naming it', async () => {
    const [get] = operations as [(typeof operations)[number]];
    for (const prefer of ['code=abc', 'code=418', 'code=404, example=nope']) {
      const response = await send(get, { Prefer: prefer });
      expect(response.status, prefer).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'InvalidPrefer', data: ['Prefer'] });
    }
  });

  it('serve the client as the service would', async () => {
    const client = new UsageBudgetClient({ cloud: 'global', credential: 'token', maxRetries: 0 });
    expect((await client.getBudget(customer)).amount).toBe(100);
    // Costs keep every digit, as the spec's examples write them.
    expect(await client.getCustomerUsageSummary(customer)).toMatchObject({
      totalCost: '28.82860766744404945074',
      budget: { amount: 97 },
    });
    const records = await client.listCustomerUsageRecords();
    expect(records.map((record) => record.resourceName)).toEqual([
      'LEGACY AZURE CUSTOMER SE',
      'Modern Azure Customer SE',
      'Test_Test_MA20190829_14',
      'Modern Azure Customer UK',
    ]);
    expect(await client.getPartnerUsageSummary()).toMatchObject({ customersOverBudget: 1 });
  });

  it("answer with the example whose own links.self is the request: the list's next page, a customer's summary", async () => {
    const client = new UsageBudgetClient({ cloud: 'global', credential: 'token', maxRetries: 0 });
    const pages: string[][] = [];
    for await (const page of client.listCustomers().byPage()) pages.push(page.items.map((item) => item.id));
    expect(pages).toEqual([
      [exampleCustomer, '45c44870-ef77-4fdd-b6fe-3dacb075cff2'],
      ['b44bb1fb-c595-45b0-9e09-d657365580bf'],
    ]);
    const filtered: (string | undefined)[] = [];
    for await (const found of client.listCustomers({
      filter: { Field: 'CompanyName', Value: 'cont', Operator: 'starts_with' },
    })) {
      filtered.push(found.companyProfile?.companyName);
    }
    expect(filtered).toEqual(['Contoso Ltd']);
    expect(await client.getCustomerUsageSummary(exampleCustomer)).toMatchObject({
      resourceId: exampleCustomer,
      totalCost: '412.77360021458339691162',
      budget: { attributes: { objectType: 'SpendingBudget' } },
    });
    expect((await client.getCustomerUsageSummary(exampleCustomer)).budget.amount).toBeUndefined();
    expect(await client.getCustomerUsageSummary('65726577-c208-40fd-9735-8c85ac9cac68')).toMatchObject({
      currencyLocale: 'en-US',
    });
  });
});

describe('the webhook handlers, stateful as the stateful mock', () => {
  const registry = createWebhookRegistry();
  const webhooks = setupServer(...createHandlers({ baseUrl: 'http://msw-webhooks.test', webhooks: registry }));
  const REGISTRATION = 'http://msw-webhooks.test/webhooks/v1/registration';
  const call = (method: string, path: string, body?: unknown, token = 'partner-a') =>
    fetch(`${REGISTRATION}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const answer = async (response: Response) => [response.status, await response.json()] as const;

  beforeAll(() => {
    server.close();
    webhooks.listen({ onUnhandledRequest: 'error' });
  });
  afterEach(() => registry.clear());
  afterAll(() => {
    webhooks.close();
    server.listen({ onUnhandledRequest: 'error' });
  });

  it('list the events, register once (POST in any casing, a second is 409), read and replace the registration', async () => {
    const [status, events] = await answer(await call('GET', '/events'));
    expect([status, events]).toEqual([
      200,
      examplesOf(operations.find(({ operationId }) => operationId === 'listWebhookEvents') as never, '200')[0]?.value,
    ]);
    expect(events).toContain('usagerecords-thresholdExceeded');
    expect((await answer(await call('GET', ''))).map((part) => (part as { code?: string }).code ?? part)).toEqual([
      404,
      'WebhookRegistrationNotFound',
    ]);
    expect(
      (await call('PUT', '', { webhookUrl: 'https://a.example/events', webhookEvents: ['test-created'] })).status,
    ).toBe(404);
    const [created, registration] = await answer(
      await call('POST', '', {
        WebhookUrl: 'https://a.example/events',
        WebhookEvents: ['usagerecords-thresholdExceeded'],
      }),
    );
    expect(created).toBe(200);
    expect(registration).toMatchObject({
      webhookUrl: 'https://a.example/events',
      webhookEvents: ['usagerecords-thresholdExceeded'],
      signatureTokenToMsSignatureHeader: false,
    });
    expect(registration.subscriberId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await answer(await call('GET', ''))).toEqual([200, registration]);
    const [again, exists] = await answer(
      await call('POST', '', { webhookUrl: 'https://b.example/events', webhookEvents: ['test-created'] }),
    );
    expect([again, exists.code]).toEqual([409, 'WebhookRegistrationExists']);
    expect(exists.description).toContain('PUT');
    const [replaced, updated] = await answer(
      await call('PUT', '', {
        webhookUrl: 'https://b.example/events',
        webhookEvents: ['test-created', 'invoice-ready'],
        signatureTokenToMsSignatureHeader: true,
      }),
    );
    expect(replaced).toBe(200);
    expect(updated).toMatchObject({
      subscriberId: registration.subscriberId,
      webhookUrl: 'https://b.example/events',
      webhookEvents: ['test-created', 'invoice-ready'],
      signatureTokenToMsSignatureHeader: true,
    });
    // Another partner (another token) has none; clear() forgets them all.
    expect((await call('GET', '', undefined, 'partner-b')).status).toBe(404);
    registry.clear();
    expect((await call('GET', '')).status).toBe(404);
  });

  it('refuse a registration the spec refuses, naming each field', async () => {
    for (const [body, data] of [
      [{ webhookUrl: 'https://a.example/events', webhookEvents: ['usage-exceeded'] }, ['webhookEvents']],
      [{ webhookUrl: 'https://a.example/events', webhookEvents: ['test-created', 'test-created'] }, ['webhookEvents']],
      [{ webhookUrl: 'https://a.example/events', webhookEvents: [] }, ['webhookEvents']],
      [{ webhookUrl: 'https://user:pw@a.example/events', webhookEvents: ['test-created'] }, ['webhookUrl']],
      [{ webhookUrl: 'ftp://a.example/events', webhookEvents: ['test-created'] }, ['webhookUrl']],
      [{ webhookUrl: 'https://a.example/events' }, ['body']],
      [{ webhookUrl: 'https://a.example/events', webhookEvents: ['test-created'], colour: 'red' }, ['colour']],
    ] as const) {
      const [status, fault] = await answer(await call('POST', '', body));
      expect([status, fault.code, fault.data], JSON.stringify(body)).toEqual([400, 3000, data]);
    }
    const [status, fault] = await answer(await call('POST', '', '{"webhookUrl":'));
    expect([status, fault.code]).toEqual([400, 800002]);
    expect((await call('GET', '')).status).toBe(404);
  });

  it('send test events 2 a minute, each with its status, 409 without test-created, 404 for an unknown one', async () => {
    expect((await call('POST', '/validationEvents')).status).toBe(404);
    await call('POST', '', { webhookUrl: 'https://a.example/events', webhookEvents: ['invoice-ready'] });
    const [refused, notListed] = await answer(await call('POST', '/validationEvents'));
    expect([refused, notListed.code]).toEqual([409, 'TestEventNotRegistered']);
    await call('PUT', '', { webhookUrl: 'https://a.example/events', webhookEvents: ['test-created'] });
    const sent: string[] = [];
    for (let index = 0; index < 2; index++) {
      const [status, body] = await answer(await call('POST', '/validationEvents'));
      expect(status).toBe(200);
      sent.push(body.correlationId);
    }
    const third = await call('POST', '/validationEvents');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(third.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    const [status, event] = await answer(await call('GET', `/validationEvents/${sent[0]?.toUpperCase()}`));
    expect(status).toBe(200);
    expect(event).toMatchObject({
      correlationId: sent[0],
      status: 'pending',
      callbackUrl: 'https://a.example/events',
      results: [],
    });
    const [unknown, missing] = await answer(await call('GET', `/validationEvents/${customer}`));
    expect([unknown, missing.code]).toEqual([404, 'ValidationEventNotFound']);
    expect((await call('GET', '/validationEvents/not-a-guid')).status).toBe(400);
    // The other partner's test events are its own.
    expect((await call('GET', `/validationEvents/${sent[0]}`, undefined, 'partner-b')).status).toBe(404);
  });

  it('still answer a documented response by Prefer, and 401 without a token', async () => {
    const preferred = await fetch(REGISTRATION, { headers: { Authorization: 'Bearer t', Prefer: 'code=200' } });
    expect((await answer(preferred))[1]).toMatchObject({ subscriberId: 'e3b0c442-98fc-4c14-9afb-f4c8996fb924' });
    expect((await fetch(REGISTRATION)).status).toBe(401);
  });
});

describe('override', () => {
  it("replaces one operation's answer with a resolver or a fixed answer", async () => {
    const client = new UsageBudgetClient({ baseURL: 'http://127.0.0.1:9', credential: 'token', maxRetries: 0 });
    server.use(
      override('getUsageBudget', ({ params }) =>
        HttpResponse.json({ amount: params.customerTenantId === customer ? 42 : 0, usageSpendingBudget: 42 }),
      ),
    );
    expect((await client.getBudget(customer)).amount).toBe(42);
    server.use(override('getUsageBudget', { status: 404, body: { code: 60003, description: 'Tenant not found' } }));
    await expect(client.getBudget(customer)).rejects.toBeInstanceOf(NotFoundError);
    server.use(
      override(
        'getUsageBudget',
        { status: 429, body: { statusCode: 429, message: 'slow down' }, headers: { 'Retry-After': '120' } },
        { once: true, baseUrl: 'http://127.0.0.1:9' },
      ),
    );
    await expect(client.getBudget(customer)).rejects.toBeInstanceOf(RateLimitError);
    // The once-only override is spent: the previous one answers again.
    await expect(client.getBudget(customer)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses an operationId the spec lacks, listing those it has', () => {
    expect(() => override('getBudget', { body: {} })).toThrow(
      `"getBudget" is not an operation of the spec; it has ${operationIds.join(', ')}`,
    );
  });
});

describe('the built entry', () => {
  it('imports nothing but msw, so it loads in a browser', () => {
    for (const file of ['../dist/msw.js', '../dist/msw.cjs']) {
      const code = readFileSync(new URL(file, import.meta.url), 'utf8');
      const imported = [...code.matchAll(/(?:\bfrom\s*|\brequire\()\s*["']([^"'\s]+)["']/g)].map((found) => found[1]);
      expect(new Set(imported), file).toEqual(new Set(['msw']));
    }
  });
});
