import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { spec } from '@usagebudget/openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetOperations } from '../../src/budget/budget-operations.js';
import { compileContract, operationRule } from '../../src/contract/compile-contract.js';
import { specValidator } from '../../src/contract/spec-validator.js';
import { createContinuationTokens } from '../../src/customers/continuation-token.js';
import { customerOperations } from '../../src/customers/customer-list.js';
import { type AccessLog, createAccessLog } from '../../src/http/access-log.js';
import type { CheckedBody } from '../../src/http/checked-body.js';
import type { Operation } from '../../src/http/operation.js';
import { createRequestHandler } from '../../src/http/request-handler.js';
import { staticFiles } from '../../src/http/static-routes.js';
import { parseConfig } from '../../src/partners/config-reader.js';
import { createPartnerDirectory } from '../../src/partners/partner-directory.js';
import type { Store } from '../../src/storage/store.js';
import {
  budgetPath,
  jsonHeaders,
  type LoopbackServer,
  listenOnLoopback,
  randomPartner,
  sendRaw,
  specViolations,
} from '../../src/testing/index.js';
import { usageOperations } from '../../src/usage/usage-operations.js';
import { createEventRaiser } from '../../src/webhooks/event-raiser.js';
import { registrationOperations } from '../../src/webhooks/registration-operations.js';
import { createTargetPolicy } from '../../src/webhooks/target-policy.js';
import { createTestEventThrottle } from '../../src/webhooks/test-event-throttle.js';
import { createThresholdWatch } from '../../src/webhooks/threshold-watch.js';

// A store whose disk has failed: the one way left to make the server fault.
const broken = () => Promise.reject(new Error('disk I/O error (simulated)'));
const done = () => Promise.resolve();
const failing: Store = {
  readAmount: broken,
  update: broken,
  pruneReplays: done,
  takeToken: broken,
  clear: done,
  ping: broken,
  close: done,
  secret: broken,
  keepSecret: broken,
  watchWebhookEvents: () => ({ stop: done }),
  seed: broken,
  partner: broken,
  listCustomers: broken,
  customer: broken,
  usageCount: broken,
  usageBatches: async function* () {
    yield await broken();
  },
  transaction: (work) => work(failing),
  usageStanding: broken,
  usageStandings: broken,
  recordCrossing: broken,
  setUsageCost: broken,
  registration: broken,
  createRegistration: broken,
  replaceRegistration: broken,
  enqueueEvent: broken,
  validationEvent: broken,
  webhookEvents: broken,
  claimDeliveries: broken,
  recordAttempt: broken,
  nextDeliveryDue: broken,
  pruneWebhookEvents: done,
  forgetPartner: broken,
  createNamespace: broken,
  namespaceByToken: broken,
  namespace: broken,
  expiredNamespaces: broken,
  seedCustomers: broken,
};

const partner = randomPartner('Unlucky partner');
const token = partner.tokens[0] as string;
const path = budgetPath(partner.customers[0] as string);
let logged = '';
let server: LoopbackServer;
let url: string;
const log = createAccessLog((chunk) => {
  logged += chunk;
});
const routes = compileContract(spec, specValidator);
/** Every operation of the spec, on the failing store. */
const raiser = createEventRaiser(() => {});
const all = {
  ...budgetOperations(
    failing,
    createThresholdWatch(raiser, () => 'http://127.0.0.1/v1/customers/usagerecords'),
  ),
  ...customerOperations(failing, createContinuationTokens(undefined), (id) => operationRule(routes, id)),
  ...usageOperations(failing),
  ...registrationOperations({
    store: failing,
    raiser,
    policy: createTargetPolicy(['loopback']),
    throttle: createTestEventThrottle(),
    baseUrl: () => 'http://127.0.0.1',
  }),
};
/** The front door for `partner`, with these operations, on the failing store. */
const handlerWith = (operations: Record<string, Operation>, accessLog?: AccessLog) =>
  createRequestHandler({
    routes,
    partners: createPartnerDirectory(parseConfig({ partners: [partner] })),
    operations,
    store: failing,
    throttle: undefined,
    files: staticFiles(),
    log: accessLog,
    closing: () => false,
    answered: new WeakSet(),
  });

beforeAll(async () => {
  server = await listenOnLoopback(createServer(handlerWith(all, log)));
  url = server.url;
});

afterAll(() => server.close());

describe('a real fault', () => {
  it('answers 500 with an ApiFault 800003 the spec declares, and logs the error against the request id', async () => {
    const requestId = randomUUID();
    const customer = partner.customers[0] as string;
    const calls = [
      ['GET', path, undefined],
      ['PATCH', path, '{"amount": 1}'],
      ['GET', '/v1/customers?size=10', undefined],
      ['GET', `/v1/customers/${customer}/usagesummary`, undefined],
      ['GET', '/v1/customers/usagerecords', undefined],
      ['GET', '/v1/usagesummary', undefined],
    ] as const;
    for (const [method, path, body] of calls) {
      const response = await sendRaw(url, {
        method,
        path,
        headers: jsonHeaders(token, { 'MS-RequestId': requestId }),
        ...(body ? { body } : {}),
      });
      expect(response.status).toBe(500);
      expect(JSON.parse(response.text)).toMatchObject({ code: 800003, description: 'Unexpected service error' });
      expect(response.text).not.toContain('disk');
      expect(specViolations(method, path, response)).toEqual([]);
    }
    log.flush();
    const faults = logged
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.kind === 'fault');
    expect(faults).toHaveLength(calls.length);
    expect(faults[0]).toMatchObject({ requestId, error: expect.stringContaining('disk I/O error (simulated)') });
    expect(logged).not.toContain(token);
  });

  it('is not ready (/readyz 503 with Retry-After) but alive (/healthz 200) when the database does not answer, and keeps serving', async () => {
    const ready = await sendRaw(url, { path: '/readyz' });
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toBe('1');
    expect(JSON.parse(ready.text)).toMatchObject({ code: 'ServiceUnavailable', source: 'usagebudget-server' });
    expect((await sendRaw(url, { path: '/healthz' })).status).toBe(200);
    expect((await sendRaw(url, { path: '/openapi.json' })).status).toBe(200);
  });
});

describe('wiring', () => {
  const wire = (operations: Record<string, Operation>) => () => handlerWith(operations);

  it('refuses to start without an implementation of every operation of the spec', () => {
    const { getPartnerUsageSummary: _, ...missing } = all;
    expect(wire(missing)).toThrow("no handler for the spec's getPartnerUsageSummary");
    expect(wire(all)).not.toThrow();
  });

  it('refuses an operation that claims to check a header the spec does not give it', () => {
    const claims = { ...all, getUsageBudget: { ...all.getUsageBudget, checksItself: ['MS-ContinuationToken'] } };
    expect(wire(claims as typeof all)).toThrow('getUsageBudget checks a header the spec does not declare for it');
  });
});

describe('the front door, for an operation whose spec declares a request body', () => {
  const received: (CheckedBody | undefined)[] = [];
  let own: LoopbackServer;

  beforeAll(async () => {
    const recording: Operation = {
      handle: (call) => {
        received.push(call.body);
        return { status: 200, body: '{}' };
      },
    };
    own = await listenOnLoopback(
      createServer(handlerWith({ ...all, updateUsageBudget: recording, getUsageBudget: recording })),
    );
  });
  afterAll(() => own.close());

  const patch = (body: string, headers: Record<string, string> = {}) =>
    sendRaw(own.url, { method: 'PATCH', path, headers: jsonHeaders(token, headers), body });

  it('hands the operation the body bound onto the schema, with the number texts as they were sent', async () => {
    received.length = 0;
    const sent = '{"Amount": 123.4500000000000000001, "Attributes": {"ObjectType": "SpendingBudget"}, "colour": "red"}';
    expect((await patch(sent)).status).toBe(200);
    const [body] = received;
    expect(body?.value).toEqual({ amount: 123.45, attributes: { objectType: 'SpendingBudget' } });
    expect(body?.numberText('amount')).toBe('123.4500000000000000001');
    expect(body?.numberText('attributes')).toBeUndefined();
    expect((await sendRaw(own.url, { path, headers: jsonHeaders(token) })).status).toBe(200);
    expect(received[1]).toBeUndefined();
  });

  it.each([
    ['a body that is not JSON', '{"amount": ', {}, 400, 800002],
    ['a body that is not an object', '[1]', {}, 400, 800002],
    ['a body of another media type', '{"amount": 1}', { 'Content-Type': 'text/plain' }, 415, 800002],
    ['a property given twice in two casings', '{"amount": 1, "AMOUNT": 2}', {}, 400, 3000],
    ['a property off the schema', '{"amount": -1}', {}, 400, 3000],
  ])('answers %s itself: the operation never sees it', async (_, body, headers, status, code) => {
    received.length = 0;
    const response = await patch(body, headers);
    expect([response.status, JSON.parse(response.text).code]).toEqual([status, code]);
    expect(received).toEqual([]);
  });
});
