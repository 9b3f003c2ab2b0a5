// The webhook registration API and test events of the bin, as a process, each answer checked
// against the spec: one registration per partner and its documented faults, casing, the URLs and
// events refused, test events signed and delivered with one result per attempt, 2 a minute.
import { randomUUID, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_NAMES } from '../../src/index.js';
import { randomPartner, startWebhookReceiver, type WebhookReceiver } from '../../src/testing/index.js';
import { sendConforming } from '../support/spec-conformance.js';
import { useServer } from '../support/use-server.js';
import {
  bearer,
  REGISTRATION,
  register,
  sendTestEvent,
  statusWhen,
  testEventStatus,
  VALIDATION_EVENTS,
  verifyDelivery,
} from '../support/webhooks.js';

// One partner per test that registers, so each starts without a registration.
const partners = Array.from({ length: 16 }, (_, index) => randomPartner(`Webhook partner ${index}`));
const appOnly = { ...randomPartner('App-only partner'), tokens: [{ token: randomUUID(), kind: 'app-only' as const }] };
const server = useServer(
  { partners: [...partners, appOnly] },
  { args: ['--webhook-first-retry', '0.2', '--webhook-max-retry', '0.4'] },
);
let next = 0;
/** A partner of its own for a test, and its token. */
const fresh = () => {
  const partner = partners[next++];
  if (!partner) throw new Error('add partners to the config');
  return partner.tokens[0] as string;
};
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver?.close());

const fault = (text: string) => JSON.parse(text) as { code: unknown; description: string; data?: unknown[] };

describe('the webhook registration', () => {
  it('offers the events Partner Center documents', async () => {
    const response = await sendConforming(server.current.url, {
      path: `${REGISTRATION}/events`,
      headers: bearer(fresh()),
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual([...WEBHOOK_EVENT_NAMES]);
    expect(WEBHOOK_EVENT_NAMES).toContain('usagerecords-thresholdExceeded');
  });

  it('is 404 WebhookRegistrationNotFound before the first POST, for GET and PUT alike', async () => {
    const token = fresh();
    const read = await sendConforming(server.current.url, { path: REGISTRATION, headers: bearer(token) });
    expect(read.status).toBe(404);
    expect(fault(read.text).code).toBe('WebhookRegistrationNotFound');
    const body = { webhookUrl: receiver.url, webhookEvents: ['test-created'] };
    const update = await register(server.current.url, token, body, 'PUT');
    expect(update.status).toBe(404);
    expect(fault(update.text).code).toBe('WebhookRegistrationNotFound');
  });

  it('is created by POST in PascalCase, read back camelCase, and a second POST is 409 saying to use PUT', async () => {
    const token = fresh();
    const created = await register(server.current.url, token, {
      WebhookUrl: receiver.url,
      WebhookEvents: ['usagerecords-thresholdExceeded', 'test-created'],
    });
    expect(created.status, created.text).toBe(200);
    const registration = JSON.parse(created.text);
    expect(registration).toMatchObject({
      webhookUrl: receiver.url,
      webhookEvents: ['usagerecords-thresholdExceeded', 'test-created'],
      signatureTokenToMsSignatureHeader: false,
    });
    expect(registration.subscriberId).toMatch(/^[0-9a-f-]{36}$/);
    const read = await sendConforming(server.current.url, { path: REGISTRATION, headers: bearer(token) });
    expect(JSON.parse(read.text)).toEqual(registration);

    const again = await register(server.current.url, token, {
      webhookUrl: receiver.url,
      webhookEvents: ['invoice-ready'],
    });
    expect(again.status).toBe(409);
    expect(fault(again.text)).toMatchObject({ code: 'WebhookRegistrationExists' });
    expect(fault(again.text).description).toMatch(/Use PUT \/webhooks\/v1\/registration/);
    const unchanged = await sendConforming(server.current.url, { path: REGISTRATION, headers: bearer(token) });
    expect(JSON.parse(unchanged.text)).toEqual(registration);
  });

  it('is replaced whole by PUT, keeping its subscriberId; what PUT leaves out takes its default', async () => {
    const token = fresh();
    const created = JSON.parse(
      (
        await register(server.current.url, token, {
          webhookUrl: receiver.url,
          webhookEvents: ['test-created'],
          signatureTokenToMsSignatureHeader: true,
        })
      ).text,
    );
    const replaced = await register(
      server.current.url,
      token,
      { webhookUrl: `${receiver.url}?tenant=contoso`, webhookEvents: ['invoice-ready', 'test-created'] },
      'PUT',
    );
    expect(replaced.status, replaced.text).toBe(200);
    expect(JSON.parse(replaced.text)).toMatchObject({
      subscriberId: created.subscriberId,
      webhookUrl: `${receiver.url}?tenant=contoso`,
      webhookEvents: ['invoice-ready', 'test-created'],
      signatureTokenToMsSignatureHeader: false,
    });
  });

  it('is one per partner: another partner has none', async () => {
    await register(server.current.url, fresh(), { webhookUrl: receiver.url, webhookEvents: ['test-created'] });
    const other = await sendConforming(server.current.url, { path: REGISTRATION, headers: bearer(fresh()) });
    expect(other.status).toBe(404);
  });

  it.each([
    [
      'an event the service does not offer',
      { webhookEvents: ['usage-exceeded'] },
      'webhookEvents',
      /usage-exceeded is not an event/,
    ],
    ['an event twice', { webhookEvents: ['test-created', 'test-created'] }, 'webhookEvents', /more than once/],
    ['no event', { webhookEvents: [] }, 'webhookEvents', /fewer than 1/],
    [
      'an event in the wrong case',
      { webhookEvents: ['usagerecords-thresholdexceeded'] },
      'webhookEvents',
      /is not an event/,
    ],
    ['a URL that is not absolute', { webhookUrl: '/events' }, 'webhookUrl', /./],
    ['an ftp URL', { webhookUrl: 'ftp://127.0.0.1/events' }, 'webhookUrl', /./],
    [
      'a URL with a password',
      { webhookUrl: 'http://user:secret@127.0.0.1/events' },
      'webhookUrl',
      /user name, password/,
    ],
    ['a URL with a fragment', { webhookUrl: 'http://127.0.0.1/events#x' }, 'webhookUrl', /fragment/],
    [
      'a receiver off the allow-list (an address)',
      { webhookUrl: 'http://10.1.2.3/events' },
      'webhookUrl',
      /allow-list/,
    ],
    [
      'a receiver off the allow-list (a name)',
      { webhookUrl: 'https://alerts.example.com/events' },
      'webhookUrl',
      /allow-list/,
    ],
  ])('refuses %s: 400 3000 naming the property', async (_, change, property, message) => {
    const token = partners[0]?.tokens[0] as string;
    const body = { webhookUrl: receiver.url, webhookEvents: ['test-created'], ...change };
    const response = await register(server.current.url, token, body, 'PUT');
    expect(response.status, response.text).toBe(400);
    const refused = fault(response.text);
    expect(refused.code).toBe(3000);
    expect(refused.data).toContain(property);
    expect(refused.description).toMatch(message);
  });

  it('accepts app-only tokens', async () => {
    const token = (appOnly.tokens[0] as { token: string }).token;
    const response = await sendConforming(server.current.url, {
      path: `${REGISTRATION}/events`,
      headers: bearer(token),
    });
    expect(response.status).toBe(200);
  });
});

describe('test events', () => {
  it('need a registration (404) that lists test-created (409 TestEventNotRegistered)', async () => {
    const token = fresh();
    const none = await sendTestEvent(server.current.url, token);
    expect([none.status, fault(none.text).code]).toEqual([404, 'WebhookRegistrationNotFound']);
    await register(server.current.url, token, { webhookUrl: receiver.url, webhookEvents: ['invoice-ready'] });
    const unlisted = await sendTestEvent(server.current.url, token);
    expect([unlisted.status, fault(unlisted.text).code]).toEqual([409, 'TestEventNotRegistered']);
  });

  it('are delivered signed, verifiable with crypto.verify against the served certificate, which chains to the served root', async () => {
    const token = fresh();
    await register(server.current.url, token, { webhookUrl: receiver.url, webhookEvents: ['test-created'] });
    const before = receiver.deliveries.length;
    const sent = await sendTestEvent(server.current.url, token);
    expect(sent.status, sent.text).toBe(200);
    const { correlationId } = JSON.parse(sent.text) as { correlationId: string };
    const delivery = (await receiver.waitFor(before + 1))[before];
    if (!delivery) throw new Error('no delivery');
    expect(JSON.parse(delivery.body.toString())).toEqual({
      EventName: 'test-created',
      ResourceUri: `${server.current.url}${VALIDATION_EVENTS}/${correlationId}`,
      ResourceName: 'test',
      AuditUri: null,
      ResourceChangeUtcDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/),
    });
    expect(delivery.headers['content-type']).toMatch(/^application\/json/);
    expect(delivery.headers['x-ms-signature']).toBeUndefined();
    const key = await verifyDelivery(server.current.url, delivery);
    // A body changed by one byte does not verify.
    const altered = Buffer.from(delivery.body);
    const at = altered.length - 2;
    altered[at] = (altered[at] as number) ^ 1;
    expect(
      verify('sha256', altered, key, Buffer.from(String(delivery.headers.authorization).slice(10), 'base64')),
    ).toBe(false);

    const status = await statusWhen(
      server.current.url,
      token,
      correlationId,
      ({ status: state }) => state === 'completed',
    );
    expect(status).toMatchObject({ status: 'completed', callbackUrl: receiver.url });
    expect(status.results).toEqual([
      { responseCode: 'OK', responseMessage: '', systemError: false, dateTimeUtc: expect.stringMatching(/Z$/) },
    ]);
  });

  it('carry the signature in x-ms-signature when the registration asks for it', async () => {
    const token = fresh();
    await register(server.current.url, token, {
      webhookUrl: receiver.url,
      webhookEvents: ['test-created'],
      signatureTokenToMsSignatureHeader: true,
    });
    const before = receiver.deliveries.length;
    await sendTestEvent(server.current.url, token);
    const delivery = (await receiver.waitFor(before + 1))[before];
    if (!delivery) throw new Error('no delivery');
    expect(delivery.headers.authorization).toBeUndefined();
    expect(delivery.headers['x-ms-signature']).toMatch(/^Signature /);
    await verifyDelivery(server.current.url, delivery);
  });

  it('show one result per attempt: a failed one, then the one that delivered', async () => {
    const token = fresh();
    const failing = await startWebhookReceiver();
    try {
      failing.answerWith(503);
      await register(server.current.url, token, { webhookUrl: failing.url, webhookEvents: ['test-created'] });
      const { correlationId } = JSON.parse((await sendTestEvent(server.current.url, token)).text);
      await failing.waitFor(1);
      const pending = await statusWhen(server.current.url, token, correlationId, ({ results }) => results.length === 1);
      expect(pending.status).toBe('pending');
      expect(pending.results[0]).toMatchObject({
        responseCode: 'ServiceUnavailable',
        responseMessage: 'answered 503',
        systemError: false,
      });
      failing.answerWith(200);
      const done = await statusWhen(server.current.url, token, correlationId, ({ status }) => status === 'completed');
      expect(done.results.map(({ responseCode }) => responseCode)).toEqual(['ServiceUnavailable', 'OK']);
      expect(failing.deliveries.length).toBe(2);
      expect(failing.deliveries[1]?.body.equals(failing.deliveries[0]?.body as Buffer)).toBe(true);
    } finally {
      await failing.close();
    }
  });

  it('are 2 a minute: the third is 429 with Retry-After, and refused requests do not count', async () => {
    const token = fresh();
    await register(server.current.url, token, { webhookUrl: receiver.url, webhookEvents: ['invoice-ready'] });
    for (let refused = 0; refused < 3; refused++)
      expect((await sendTestEvent(server.current.url, token)).status).toBe(409);
    await register(server.current.url, token, { webhookUrl: receiver.url, webhookEvents: ['test-created'] }, 'PUT');
    expect((await sendTestEvent(server.current.url, token)).status).toBe(200);
    expect((await sendTestEvent(server.current.url, token)).status).toBe(200);
    const third = await sendTestEvent(server.current.url, token);
    expect(third.status).toBe(429);
    expect(JSON.parse(third.text)).toMatchObject({ statusCode: 429 });
    const retryAfter = Number(third.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(58);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('are read by their own partner only; an unknown ID is 404, one that is not a GUID 400', async () => {
    const token = fresh();
    await register(server.current.url, token, { webhookUrl: receiver.url, webhookEvents: ['test-created'] });
    const { correlationId } = JSON.parse((await sendTestEvent(server.current.url, token)).text);
    expect((await testEventStatus(server.current.url, token, correlationId.toUpperCase())).callbackUrl).toBe(
      receiver.url,
    );
    for (const [asker, id] of [
      [fresh(), correlationId],
      [token, randomUUID()],
    ] as const) {
      const response = await sendConforming(server.current.url, {
        path: `${VALIDATION_EVENTS}/${id}`,
        headers: bearer(asker),
      });
      expect([response.status, fault(response.text).code]).toEqual([404, 'ValidationEventNotFound']);
    }
    const malformed = await sendConforming(server.current.url, {
      path: `${VALIDATION_EVENTS}/not-a-guid`,
      headers: bearer(token),
    });
    expect([malformed.status, fault(malformed.text).data]).toEqual([400, ['correlationId']]);
  });
});
