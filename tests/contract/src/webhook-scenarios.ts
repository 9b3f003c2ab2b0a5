// How the webhook registration's documented responses are provoked on a target that gives each
// scenario a partner of its own (a registration cannot be deleted): registering, reading and
// replacing it, the bodies the service refuses, and test events with their limit of 2 a minute.
import { randomUUID } from 'node:crypto';
import type { WebhookRegistration, WebhookRegistrationRequest } from '@usagebudget/client';
import { expect } from 'vitest';
import type { DocumentedResponse } from './documented-responses.js';
import { createRecordingAxios, type Exchange } from './exchange-recorder.js';
import { ANY_REGISTRATION, callOperation } from './operation-calls.js';
import { expectDeclaredHeaders, expectDocumentedBody, expectFault, expectSuccess } from './outcomes.js';
import type { ScenarioClient, ScenarioContext, Strategy } from './scenario-context.js';
import {
  CREATE_REGISTRATION,
  GET_REGISTRATION,
  GET_TEST_EVENT,
  missing,
  SEND_TEST_EVENT,
  UPDATE_REGISTRATION,
  WEBHOOK_EVENTS,
  WEBHOOK_OPERATIONS,
} from './scenario-helpers.js';

const REGISTRATION_PATH = '/webhooks/v1/registration';
const BUDGET_ALERTS = 'usagerecords-thresholdExceeded';
const TEST_CREATED = 'test-created';

/** A partner of the scenario's own, without a registration: its token, and a client of it. */
function freshPartner(context: ScenarioContext): { token: string; partner: ScenarioClient } {
  const token = context.target.ownPartner?.() ?? missing('ownPartner');
  return { token, partner: context.client({ token }) };
}

/** Registers `registration` (the suite's default one) for the partner, checked as a documented 200. */
async function register(
  context: ScenarioContext,
  partner: ScenarioClient,
  registration: WebhookRegistrationRequest = ANY_REGISTRATION,
): Promise<WebhookRegistration> {
  const call = partner.client.createWebhookRegistration(registration);
  return (await expectSuccess(context, partner, call, context.response(CREATE_REGISTRATION, 200))).data;
}

/** Reads the partner's registration, checked as a documented 200. */
async function readRegistration(context: ScenarioContext, partner: ScenarioClient): Promise<WebhookRegistration> {
  const call = partner.client.getWebhookRegistration();
  return (await expectSuccess(context, partner, call, context.response(GET_REGISTRATION, 200))).data;
}

/** The registration's members a request sets, as the service answers them. */
const asRegistered = ({
  webhookUrl,
  webhookEvents,
  signatureTokenToMsSignatureHeader,
}: WebhookRegistrationRequest) => ({
  webhookUrl,
  webhookEvents,
  signatureTokenToMsSignatureHeader: signatureTokenToMsSignatureHeader ?? false,
});

/** A documented fault of the call, with the code the scenario provokes. */
function faultOfCall(
  title: string,
  operationId: string,
  status: number,
  code: string,
  arrange: (context: ScenarioContext, partner: ScenarioClient) => Promise<{ testEventId?: string } | undefined>,
): Strategy {
  return {
    status,
    operationId,
    title,
    needs: ['ownPartner'],
    run: async (context, documented) => {
      const { partner } = freshPartner(context);
      const { testEventId } = (await arrange(context, partner)) ?? {};
      const correlationId = randomUUID();
      const call = callOperation(operationId, partner.client, {
        customerId: randomUUID(),
        ...(testEventId ? { testEventId } : {}),
        options: { correlationId },
      });
      const error = await expectFault(context, partner, call, documented, { correlationId });
      expect(error.code).toBe(code);
    },
  };
}

/** A request the client would refuse to send, sent as it is: the body's text as written. */
interface RawRequest {
  readonly title: string;
  readonly method: 'POST' | 'PUT' | 'GET';
  readonly path: string;
  readonly body?: string;
  /** `prism`: through Prism, which finds nothing wrong; `direct`: past it, since it would stop it first. */
  readonly route: 'prism' | 'direct';
}

/** Sends `request` as it is, as the partner of `token`, and returns the exchange. */
async function sendAsIs(context: ScenarioContext, token: string, request: RawRequest): Promise<Exchange> {
  const baseURL =
    request.route === 'prism' ? context.target.baseURL : (context.target.directURL ?? missing('directURL'));
  const recording = createRecordingAxios();
  await recording.axios.request({
    method: request.method,
    url: `${baseURL}${request.path}`,
    headers: {
      Authorization: `Bearer ${token}`,
      'MS-RequestId': randomUUID(),
      'MS-CorrelationId': randomUUID(),
      ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(request.body === undefined ? {} : { data: request.body }),
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: (body: unknown) => body,
  });
  const [exchange] = recording.exchanges;
  if (!exchange) throw new Error(`${request.title}: no exchange recorded`);
  if (request.route === 'prism') {
    expect(exchange.responseHeaders['sl-violations'], 'Prism finds nothing wrong with the request').toBeUndefined();
  }
  return exchange;
}

/** The service's 400: a documented ApiFault with the code of the problem, naming what is at fault. */
function expectRefusal(
  context: ScenarioContext,
  documented: DocumentedResponse,
  exchange: Exchange,
  { code, at }: { code: number; at?: string },
) {
  expect(exchange.status, exchange.body).toBe(400);
  const body = JSON.parse(exchange.body) as { code: unknown; data?: unknown[] };
  expectDocumentedBody(context, documented, body);
  expect(body.code, 'the code names the problem').toBe(code);
  if (at !== undefined) expect(body.data, 'data names what is at fault').toEqual([at]);
  const examples = Object.values(documented.examples) as { code?: unknown; data?: unknown[] }[];
  expect(
    examples.some((example) => example.code === code && (at === undefined || example.data?.includes(at))),
    'the spec has an example of this refusal',
  ).toBe(true);
  expectDeclaredHeaders(documented, exchange);
}

/** A registration body the service refuses, and the code and member its 400 names. */
interface BadRegistration {
  readonly title: string;
  readonly body: string;
  readonly route: RawRequest['route'];
  readonly code: number;
  readonly at?: string;
}

const badRegistrations: readonly BadRegistration[] = [
  {
    title: 'a URL with a user name and password (Prism lets it through: only the service refuses it)',
    body: JSON.stringify({ ...ANY_REGISTRATION, webhookUrl: 'https://partner:secret@127.0.0.1/events' }),
    route: 'prism',
    code: 3000,
    at: 'webhookUrl',
  },
  {
    title: 'a URL that is not absolute (sent past Prism, which would stop it first)',
    body: JSON.stringify({ ...ANY_REGISTRATION, webhookUrl: 'events' }),
    route: 'direct',
    code: 3000,
    at: 'webhookUrl',
  },
  {
    title: 'a body without webhookEvents (sent past Prism, which would stop it first)',
    body: JSON.stringify({ webhookUrl: ANY_REGISTRATION.webhookUrl }),
    route: 'direct',
    code: 3000,
    at: 'body',
  },
  {
    title: 'a body that is not JSON (sent past Prism, which would stop it first)',
    body: '{"webhookUrl": "http://127.0.0.1:9/events", "webhookEvents": [',
    route: 'direct',
    code: 800002,
  },
];

/**
 * A POST or PUT of a body the service refuses: the 400 names what is wrong, and nothing changed
 * (no registration after a POST; the one before after a PUT).
 */
function refusedRegistration(operationId: string, bad: BadRegistration): Strategy {
  const put = operationId === UPDATE_REGISTRATION;
  return {
    status: 400,
    operationId,
    title: `${put ? 'PUT' : 'POST'} 400 the service refuses ${bad.title}`,
    needs: ['ownPartner', ...(bad.route === 'direct' ? (['direct'] as const) : [])],
    run: async (context, documented) => {
      const { token, partner } = freshPartner(context);
      const before = put ? await register(context, partner) : undefined;
      const request = { ...bad, method: put ? 'PUT' : 'POST', path: REGISTRATION_PATH } as const;
      expectRefusal(context, documented, await sendAsIs(context, token, request), bad);
      if (before) expect(await readRegistration(context, partner), 'the registration is unchanged').toEqual(before);
      else await expectNotRegistered(context, partner);
    },
  };
}

/** An event the service does not offer, sent by the client (which cannot know the list): refused, nothing changed. */
function refusedUnknownEvent(operationId: string): Strategy {
  const put = operationId === UPDATE_REGISTRATION;
  return {
    status: 400,
    operationId,
    title: `${put ? 'PUT' : 'POST'} 400 an event the service does not offer: refused naming webhookEvents`,
    needs: ['ownPartner'],
    run: async (context, documented) => {
      const { partner } = freshPartner(context);
      const before = put ? await register(context, partner) : undefined;
      const correlationId = randomUUID();
      const call = callOperation(operationId, partner.client, {
        customerId: randomUUID(),
        registration: { ...ANY_REGISTRATION, webhookEvents: [TEST_CREATED, 'usage-exceeded'] },
        options: { correlationId },
      });
      const error = await expectFault(context, partner, call, documented, { correlationId });
      expect(error.code).toBe(3000);
      expect(error.data).toEqual(['webhookEvents']);
      if (before) expect(await readRegistration(context, partner), 'the registration is unchanged').toEqual(before);
      else await expectNotRegistered(context, partner);
    },
  };
}

/** The partner has no registration: its GET is the documented 404. */
async function expectNotRegistered(context: ScenarioContext, partner: ScenarioClient): Promise<void> {
  const call = partner.client.getWebhookRegistration();
  const error = await expectFault(context, partner, call, context.response(GET_REGISTRATION, 404));
  expect(error.code, 'no registration was made').toBe('WebhookRegistrationNotFound');
}

/** Sends a test event, checked as a documented 200; returns its correlation ID. */
async function sendTestEvent(context: ScenarioContext, partner: ScenarioClient): Promise<string> {
  const call = partner.client.sendWebhookTestEvent();
  return (await expectSuccess(context, partner, call, context.response(SEND_TEST_EVENT, 200))).data.correlationId;
}

const REGISTRATION_BODY_SIZE =
  'the client sends a URL of at most 2048 characters and at most 64 event names of at most 128 characters ' +
  '(about 11 KB), far below 64 KiB';

export const webhookStrategies: readonly Strategy[] = [
  {
    status: 200,
    operationId: WEBHOOK_EVENTS,
    title: 'GET 200 lists the events, each once: budget alerts and test events among them',
    needs: [],
    run: async (context, documented) => {
      const reader = context.client();
      const correlationId = randomUUID();
      const call = reader.client.listWebhookEvents({ correlationId });
      const { data: names } = await expectSuccess(context, reader, call, documented, { correlationId });
      expect(new Set(names).size, 'no event twice').toBe(names.length);
      // The mock answers the documented example, which lists them too.
      expect(names).toEqual(expect.arrayContaining([BUDGET_ALERTS, TEST_CREATED]));
    },
  },
  {
    status: 200,
    operationId: CREATE_REGISTRATION,
    title: 'POST 200 registers: the answer, and then a GET, is what was sent, with a subscriberId',
    needs: ['ownPartner'],
    run: async (context) => {
      const { partner } = freshPartner(context);
      const sent = { webhookUrl: 'http://127.0.0.1:9/contract-tests/alerts', webhookEvents: [BUDGET_ALERTS] };
      const registered = await register(context, partner, sent);
      expect(registered).toMatchObject(asRegistered(sent));
      expect(registered.subscriberId).toMatch(/^[0-9a-f-]{36}$/i);
      expect(await readRegistration(context, partner)).toEqual(registered);
    },
  },
  {
    status: 200,
    operationId: CREATE_REGISTRATION,
    title:
      "POST 200 reads a body in PascalCase, as Partner Center's examples write it, and answers camelCase (sent past Prism, whose schema knows camelCase only)",
    needs: ['ownPartner', 'direct'],
    run: async (context, documented) => {
      const { token, partner } = freshPartner(context);
      const request = {
        title: 'a PascalCase registration',
        method: 'POST',
        path: REGISTRATION_PATH,
        body: JSON.stringify({
          WebhookUrl: ANY_REGISTRATION.webhookUrl,
          WebhookEvents: [BUDGET_ALERTS, TEST_CREATED],
          SignatureTokenToMsSignatureHeader: true,
        }),
        route: 'direct',
      } as const;
      const exchange = await sendAsIs(context, token, request);
      expect(exchange.status, exchange.body).toBe(200);
      const body = JSON.parse(exchange.body) as unknown;
      expectDocumentedBody(context, documented, body);
      expectDeclaredHeaders(documented, exchange);
      const expected = {
        webhookUrl: ANY_REGISTRATION.webhookUrl,
        webhookEvents: [BUDGET_ALERTS, TEST_CREATED],
        signatureTokenToMsSignatureHeader: true,
      };
      expect(body).toMatchObject(expected);
      expect(await readRegistration(context, partner)).toEqual(body);
    },
  },
  {
    status: 200,
    operationId: GET_REGISTRATION,
    title: 'GET 200 reads the registration a POST made',
    needs: ['ownPartner'],
    run: async (context, documented) => {
      const { partner } = freshPartner(context);
      const registered = await register(context, partner);
      const correlationId = randomUUID();
      const call = partner.client.getWebhookRegistration({ correlationId });
      const { data } = await expectSuccess(context, partner, call, documented, { correlationId });
      expect(data).toEqual(registered);
    },
  },
  {
    status: 200,
    operationId: UPDATE_REGISTRATION,
    title:
      'PUT 200 replaces the registration whole: the subscriberId stays, a signature header left out is false again',
    needs: ['ownPartner'],
    run: async (context, documented) => {
      const { partner } = freshPartner(context);
      const { subscriberId } = await register(context, partner);
      const replacements: WebhookRegistrationRequest[] = [
        {
          webhookUrl: 'http://127.0.0.1:9/contract-tests/replaced',
          webhookEvents: [BUDGET_ALERTS, TEST_CREATED],
          signatureTokenToMsSignatureHeader: true,
        },
        { webhookUrl: 'http://127.0.0.1:9/contract-tests/again', webhookEvents: [TEST_CREATED] },
      ];
      for (const replacement of replacements) {
        const correlationId = randomUUID();
        const call = partner.client.updateWebhookRegistration(replacement, { correlationId });
        const { data } = await expectSuccess(context, partner, call, documented, { correlationId });
        expect(data).toMatchObject({ ...asRegistered(replacement), subscriberId });
        expect(await readRegistration(context, partner)).toEqual(data);
      }
    },
  },
  ...[CREATE_REGISTRATION, UPDATE_REGISTRATION].flatMap((operationId) => [
    refusedUnknownEvent(operationId),
    ...badRegistrations.map((bad) => refusedRegistration(operationId, bad)),
  ]),
  faultOfCall(
    'GET 404 a partner without a registration',
    GET_REGISTRATION,
    404,
    'WebhookRegistrationNotFound',
    async () => undefined,
  ),
  {
    status: 404,
    operationId: UPDATE_REGISTRATION,
    title: 'PUT 404 a partner without a registration: refused, and still none',
    needs: ['ownPartner'],
    run: async (context, documented) => {
      const { partner } = freshPartner(context);
      const correlationId = randomUUID();
      const call = partner.client.updateWebhookRegistration(ANY_REGISTRATION, { correlationId });
      const error = await expectFault(context, partner, call, documented, { correlationId });
      expect(error.code).toBe('WebhookRegistrationNotFound');
      await expectNotRegistered(context, partner);
    },
  },
  {
    status: 409,
    operationId: CREATE_REGISTRATION,
    title: 'POST 409 a second registration: refused, the first unchanged',
    needs: ['ownPartner'],
    run: async (context, documented) => {
      const { partner } = freshPartner(context);
      const first = await register(context, partner);
      const correlationId = randomUUID();
      const second = { webhookUrl: 'http://127.0.0.1:9/contract-tests/second', webhookEvents: [BUDGET_ALERTS] };
      const call = partner.client.createWebhookRegistration(second, { correlationId });
      const error = await expectFault(context, partner, call, documented, { correlationId });
      expect(error.code).toBe('WebhookRegistrationExists');
      expect(await readRegistration(context, partner)).toEqual(first);
    },
  },
  { status: 413, operationId: [CREATE_REGISTRATION, UPDATE_REGISTRATION], unreachable: REGISTRATION_BODY_SIZE },
  {
    status: 200,
    operationId: SEND_TEST_EVENT,
    title: 'POST 200 sends a test event, whose delivery then reads as sent to the registered URL',
    needs: ['ownPartner'],
    run: async (context, documented) => {
      const { partner } = freshPartner(context);
      await register(context, partner);
      const correlationId = randomUUID();
      const call = partner.client.sendWebhookTestEvent({ correlationId });
      const { data } = await expectSuccess(context, partner, call, documented, { correlationId });
      const read = partner.client.getWebhookTestEvent(data.correlationId);
      const { data: event } = await expectSuccess(context, partner, read, context.response(GET_TEST_EVENT, 200));
      expect(event).toMatchObject({ correlationId: data.correlationId, callbackUrl: ANY_REGISTRATION.webhookUrl });
    },
  },
  faultOfCall(
    'POST 404 a partner without a registration',
    SEND_TEST_EVENT,
    404,
    'WebhookRegistrationNotFound',
    async () => undefined,
  ),
  faultOfCall(
    'POST 409 a registration without test-created',
    SEND_TEST_EVENT,
    409,
    'TestEventNotRegistered',
    async (context, partner) => {
      await register(context, partner, { ...ANY_REGISTRATION, webhookEvents: [BUDGET_ALERTS] });
      return undefined;
    },
  ),
  {
    status: 429,
    operationId: SEND_TEST_EVENT,
    title: 'POST 429 a third and a fourth test event within a minute, each with the seconds to wait',
    needs: ['ownPartner'],
    run: async (context, documented) => {
      const { partner } = freshPartner(context);
      await register(context, partner);
      await sendTestEvent(context, partner);
      await sendTestEvent(context, partner);
      for (const attempt of ['third', 'fourth']) {
        const correlationId = randomUUID();
        const call = partner.client.sendWebhookTestEvent({ correlationId });
        const error = await expectFault(context, partner, call, documented, { correlationId });
        const retryAfter = Number(partner.exchanges.at(-1)?.responseHeaders['retry-after']);
        expect(retryAfter, `the ${attempt} event's Retry-After`).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(error, 'the client reads Retry-After').toMatchObject({ retryAfterMs: retryAfter * 1000 });
      }
    },
  },
  {
    status: 200,
    operationId: GET_TEST_EVENT,
    title: "GET 200 reads a test event's delivery: pending, completed or failed, one result per attempt",
    needs: ['ownPartner'],
    run: async (context, documented) => {
      const { partner } = freshPartner(context);
      await register(context, partner);
      const sent = await sendTestEvent(context, partner);
      const correlationId = randomUUID();
      const call = partner.client.getWebhookTestEvent(sent, { correlationId });
      const { data } = await expectSuccess(context, partner, call, documented, { correlationId });
      expect(data.correlationId).toBe(sent);
      expect(data.callbackUrl).toBe(ANY_REGISTRATION.webhookUrl);
      expect(['pending', 'completed', 'failed']).toContain(data.status);
    },
  },
  {
    status: 400,
    operationId: GET_TEST_EVENT,
    title: 'GET 400 a correlation ID that is not a GUID (sent past Prism, which would stop it first)',
    needs: ['identity', 'direct'],
    run: async (context, documented) => {
      const request = {
        title: 'a correlation ID that is not a GUID',
        method: 'GET',
        path: `${REGISTRATION_PATH}/validationEvents/not-a-guid`,
        route: 'direct',
      } as const;
      const exchange = await sendAsIs(context, context.target.token, request);
      expectRefusal(context, documented, exchange, { code: 800002, at: 'correlationId' });
    },
  },
  faultOfCall(
    'GET 404 a correlation ID of a test event another partner sent',
    GET_TEST_EVENT,
    404,
    'ValidationEventNotFound',
    async (context) => {
      const { partner: other } = freshPartner(context);
      await register(context, other);
      return { testEventId: await sendTestEvent(context, other) };
    },
  ),
  {
    status: 404,
    operationId: GET_TEST_EVENT,
    title: 'GET 404 a correlation ID no test event has',
    needs: ['identity'],
    run: async (context, documented) => {
      const reader = context.client();
      const correlationId = randomUUID();
      const call = reader.client.getWebhookTestEvent(randomUUID(), { correlationId });
      const error = await expectFault(context, reader, call, documented, { correlationId });
      expect(error.code).toBe('ValidationEventNotFound');
    },
  },
  {
    status: 400,
    operationId: [WEBHOOK_EVENTS, GET_REGISTRATION, SEND_TEST_EVENT],
    unreachable: 'the operation takes no parameter or body, and the client sends only header values the spec allows',
  },
  {
    status: 403,
    operationId: WEBHOOK_OPERATIONS,
    unreachable:
      'no target has a user whose role may not manage webhooks (the reference server has no roles; app-only and app+user tokens are both accepted)',
  },
];
