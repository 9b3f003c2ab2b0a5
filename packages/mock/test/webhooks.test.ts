// The stateful mock's webhooks as a team's test meets them: a receiver on loopback registered
// through the API, a customer's cost grown past its budget with the control, and the one
// `usagerecords-thresholdExceeded` delivery that follows verified with Node's crypto alone
// against the root `startMock()` returned; any event raised now; the controls refused without
// their header.
import { constants, createPublicKey, verify, X509Certificate } from 'node:crypto';
import {
  type RawResponse,
  type ReceivedDelivery,
  randomPartner,
  sendRaw,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@usagebudget/server/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockAdminError, type Seed, type StatefulMock, startMock } from '../src/index.js';
import { MOCK_ADMIN_PATH } from '../src/test-controls/control-surface.js';
import { adminViolations, CONTROL_HEADERS } from './support/test-controls.js';

const partner = randomPartner('Webhook partner', 2);
const [customer, unbudgeted] = partner.customers as [string, string];
// 200.4 of a budget of 250.5: 50.1 more is not over (equal), 50.2 more is.
const seed: Seed = {
  partners: [{ ...partner, customers: [{ id: customer, cost: '200.4', budget: 250.5 }, unbudgeted] }],
};
const token = partner.tokens[0] as string;
const REGISTRATION = '/webhooks/v1/registration';

let mock: StatefulMock;
// A fresh receiver per test: its deliveries are that test's alone.
let receiver: WebhookReceiver | undefined;
beforeAll(async () => {
  mock = await startMock({ seed });
});
afterAll(async () => {
  await Promise.all([mock?.close(), receiver?.close()]);
});
beforeEach(async () => {
  await receiver?.close();
  await mock.admin.reset();
  receiver = await startWebhookReceiver();
});
const receiving = () => receiver as WebhookReceiver;

const api = (method: string, path: string, body?: unknown) =>
  sendRaw(mock.url, {
    method,
    path,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function registerReceiver(events: string[]): Promise<void> {
  const created = await api('POST', REGISTRATION, { WebhookUrl: receiving().url, WebhookEvents: events });
  expect(created.status, created.text).toBe(200);
}

/** Polls the controls' view of the outbox until every event is settled (at most 10 s). */
async function settledDeliveries() {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const deliveries = await mock.admin.webhookDeliveries();
    if (deliveries.every(({ state }) => state !== 'pending') || Date.now() > deadline) return deliveries;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Verifies a delivery as a receiver would, with Node's crypto only: the certificate fetched from
 * `x-ms-certificate-url` chains to `root`, and its key verifies RSA PKCS#1 v1.5 SHA-256 over the
 * exact bytes received.
 */
async function verifyAgainst(root: X509Certificate, delivery: ReceivedDelivery) {
  expect(delivery.headers['x-ms-signature-algorithm']).toBe('rsa-sha256');
  const certificateUrl = String(delivery.headers['x-ms-certificate-url']);
  expect(certificateUrl).toBe(mock.webhooks.certificateUrl);
  const certificate = new X509Certificate(Buffer.from(await (await fetch(certificateUrl)).arrayBuffer()));
  const signature = String(delivery.headers.authorization ?? delivery.headers['x-ms-signature']);
  expect(signature).toMatch(/^Signature [A-Za-z0-9+/]+={0,2}$/);
  const key = {
    key: createPublicKey(certificate.publicKey.export({ type: 'spki', format: 'pem' })),
    padding: constants.RSA_PKCS1_PADDING,
  };
  const signed = Buffer.from(signature.slice('Signature '.length), 'base64');
  return {
    chains: certificate.verify(root.publicKey),
    organization: certificate.subject,
    verifies: (body: Buffer) => verify('sha256', body, key, signed),
  };
}

describe("the stateful mock's webhooks", () => {
  it('returns its test root from startMock(), the same one it serves at /webhooks/certificates/root.pem', async () => {
    const root = new X509Certificate(mock.webhooks.rootCertificate);
    expect(root.ca).toBe(true);
    expect(mock.webhooks.rootUrl).toBe(`${mock.url}/webhooks/certificates/root.pem`);
    const served = await fetch(mock.webhooks.rootUrl);
    expect(served.status).toBe(200);
    expect(new X509Certificate(await served.text()).fingerprint256).toBe(root.fingerprint256);
    expect(mock.webhooks.organization).toBe('usagebudget reference server');
  });

  it('delivers exactly one signed usagerecords-thresholdExceeded when the cost control crosses the budget', async () => {
    await registerReceiver(['usagerecords-thresholdExceeded']);
    // Up to the budget is not over it: nothing is raised.
    const atBudget = await mock.admin.increaseCost({ customer, increaseBy: '50.1' });
    expect(atBudget).toMatchObject({
      totalCost: '250.5',
      budget: '250.5',
      overBudget: false,
      thresholdExceeded: false,
    });
    const crossing = await mock.admin.increaseCost({ customer: customer.toUpperCase(), increaseBy: '0.1' });
    expect(crossing).toMatchObject({
      customer,
      partner: partner.id,
      totalCost: '250.6',
      overBudget: true,
      thresholdExceeded: true,
    });
    expect(crossing.eventId).toEqual(expect.any(String));
    // Still over: the same billing period raises no second event.
    const again = await mock.admin.increaseCost({ customer, increaseBy: '10' });
    expect(again).toMatchObject({ totalCost: '260.6', overBudget: true, thresholdExceeded: false, eventId: null });

    const [delivery] = await receiving().waitFor(1);
    const outbox = await settledDeliveries();
    expect(outbox.map(({ eventId, eventName, state }) => ({ eventId, eventName, state }))).toEqual([
      { eventId: crossing.eventId, eventName: 'usagerecords-thresholdExceeded', state: 'delivered' },
    ]);
    expect(outbox[0]?.attempts).toHaveLength(1);
    expect(receiving().deliveries).toHaveLength(1);

    const event = JSON.parse(String(delivery?.body));
    expect(event).toMatchObject({
      EventName: 'usagerecords-thresholdExceeded',
      ResourceUri: `${mock.url}/v1/customers/usagerecords`,
    });
    expect(delivery?.body.toString()).toBe(outbox[0]?.body);
    const check = await verifyAgainst(new X509Certificate(mock.webhooks.rootCertificate), delivery as ReceivedDelivery);
    expect(check.chains, 'the signing certificate chains to the root startMock() returned').toBe(true);
    expect(check.organization).toContain(`O=${mock.webhooks.organization}`);
    expect(check.verifies(delivery?.body as Buffer), 'the signature over the exact bytes').toBe(true);
    const altered = Buffer.from(delivery?.body as Buffer);
    altered.writeUInt8((altered.at(-2) ?? 0) ^ 1, altered.length - 2);
    expect(check.verifies(altered), 'a body changed by one byte').toBe(false);
  });

  it('signs with a root of its own: another mock’s root does not verify its certificate', async () => {
    const otherMock = await startMock({ seed });
    try {
      await registerReceiver(['usagerecords-thresholdExceeded']);
      await mock.admin.increaseCost({ customer, increaseBy: '100' });
      const [delivery] = await receiving().waitFor(1);
      const other = new X509Certificate(otherMock.webhooks.rootCertificate);
      expect(other.fingerprint256).not.toBe(new X509Certificate(mock.webhooks.rootCertificate).fingerprint256);
      expect((await verifyAgainst(other, delivery as ReceivedDelivery)).chains).toBe(false);
    } finally {
      await otherMock.close();
    }
  });

  it('raises any event of the catalogue now with the trigger control, delivered signed', async () => {
    await registerReceiver(['usagerecords-thresholdExceeded', 'invoice-ready']);
    const raised = await mock.admin.raiseWebhookEvent({ eventName: 'invoice-ready' });
    const [delivery] = await receiving().waitFor(1);
    expect(delivery?.body.toString()).toBe(raised.body);
    expect(JSON.parse(raised.body)).toMatchObject({ EventName: 'invoice-ready', ResourceName: 'invoice' });
    const check = await verifyAgainst(new X509Certificate(mock.webhooks.rootCertificate), delivery as ReceivedDelivery);
    expect([check.chains, check.verifies(delivery?.body as Buffer)]).toEqual([true, true]);
    // A threshold event raised by hand points at the usage records, as a crossing's does.
    const threshold = await mock.admin.raiseWebhookEvent({ eventName: 'usagerecords-thresholdExceeded' });
    expect(JSON.parse(threshold.body).ResourceUri).toBe(`${mock.url}/v1/customers/usagerecords`);
    await receiving().waitFor(2);
    expect((await settledDeliveries()).map(({ state }) => state)).toEqual(['delivered', 'delivered']);
  });

  it('refuses to raise an event the API does not offer, one the registration does not list, or for no partner', async () => {
    const refusal = (error: unknown) => [(error as MockAdminError).status, (error as MockAdminError).code];
    await expect(mock.admin.raiseWebhookEvent({ eventName: 'invoice-ready' }).catch(refusal)).resolves.toEqual([
      409,
      'NotRegistered',
    ]);
    await registerReceiver(['test-created']);
    await expect(mock.admin.raiseWebhookEvent({ eventName: 'invoice-ready' }).catch(refusal)).resolves.toEqual([
      409,
      'NotRegistered',
    ]);
    await expect(mock.admin.raiseWebhookEvent({ eventName: 'budget-on-fire' }).catch(refusal)).resolves.toEqual([
      400,
      'InvalidRequest',
    ]);
    await expect(
      mock.admin
        .raiseWebhookEvent({ eventName: 'test-created', partner: '00000000-0000-4000-8000-000000000000' })
        .catch(refusal),
    ).resolves.toEqual([404, 'PartnerNotFound']);
    expect(receiving().deliveries).toHaveLength(0);
  });

  it('refuses a cost increase that is not a positive decimal, or for a customer the seed lacks, naming the field', async () => {
    const failure = (error: unknown) => {
      const { status, code, data } = error as MockAdminError & { data?: unknown };
      return { status, code, data };
    };
    for (const [body, field] of [
      [{ customer, increaseBy: '0' }, 'increaseBy'],
      [{ customer, increaseBy: '-1' }, 'increaseBy'],
      [{ customer, increaseBy: 12 }, 'increaseBy'],
      [{ customer, increaseBy: '1', usdIncreaseBy: '1e3' }, 'usdIncreaseBy'],
      [{ customer: 'not-a-guid', increaseBy: '1' }, 'customer'],
    ] as const) {
      const refused = await mock.admin.increaseCost(body as never).catch(failure);
      expect(refused, JSON.stringify(body)).toMatchObject({ status: 400, code: 'InvalidRequest' });
      expect((refused as { data?: string[] }).data, JSON.stringify(body)).toContain(field);
    }
    const unknown = await mock.admin
      .increaseCost({ customer: '00000000-0000-4000-8000-000000000000', increaseBy: '1' })
      .catch(failure);
    expect(unknown).toMatchObject({ status: 404, code: 'CustomerNotFound' });
    // Nothing was added by the refusals.
    expect((await mock.admin.increaseCost({ customer, increaseBy: '0.6' })).totalCost).toBe('201');
  });

  it('answers each control per its own spec, and refuses every one without X-Usagebudget-Mock: 1', async () => {
    const requests: [string, string, unknown][] = [
      ['POST', '/usage', { customer, increaseBy: '1' }],
      ['POST', '/webhooks/events', { eventName: 'test-created' }],
      ['GET', '/webhooks/deliveries', undefined],
    ];
    const send = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
      sendRaw(mock.url, {
        method,
        path: `${MOCK_ADMIN_PATH}${path}`,
        headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const refused: RawResponse[] = [];
    for (const [method, path, body] of requests) {
      const response = await send(method, path, body, {});
      expect([response.status, JSON.parse(response.text).code], path).toEqual([403, 'MockHeaderRequired']);
      expect(adminViolations(method, `${MOCK_ADMIN_PATH}${path}`, response)).toEqual([]);
      refused.push(response);
    }
    expect(refused).toHaveLength(3);
    // Refused: the cost did not grow.
    const grown = await send('POST', '/usage', { customer, increaseBy: '1' }, CONTROL_HEADERS);
    expect(grown.status).toBe(200);
    expect(adminViolations('POST', `${MOCK_ADMIN_PATH}/usage`, grown)).toEqual([]);
    expect(JSON.parse(grown.text).totalCost).toBe('201.4');
    const listed = await send('GET', '/webhooks/deliveries?state=parked', undefined, CONTROL_HEADERS);
    expect([listed.status, JSON.parse(listed.text)]).toEqual([200, { deliveries: [] }]);
    expect(adminViolations('GET', `${MOCK_ADMIN_PATH}/webhooks/deliveries`, listed)).toEqual([]);
    const badFilter = await send('GET', '/webhooks/deliveries?state=lost', undefined, CONTROL_HEADERS);
    expect([badFilter.status, JSON.parse(badFilter.text).code]).toEqual([400, 'InvalidQuery']);
  });

  it('forgets the registration and the events on reset', async () => {
    await registerReceiver(['usagerecords-thresholdExceeded']);
    await mock.admin.increaseCost({ customer, increaseBy: '100' });
    await receiving().waitFor(1);
    await mock.admin.reset();
    expect(await mock.admin.webhookDeliveries()).toEqual([]);
    expect((await api('GET', REGISTRATION)).status).toBe(404);
  });
});

describe('the stateful mock’s test events', () => {
  it('delivers a test event through the registration API and reports one result per attempt', async () => {
    await registerReceiver(['test-created']);
    const sent = await api('POST', `${REGISTRATION}/validationEvents`);
    expect(sent.status, sent.text).toBe(200);
    const { correlationId } = JSON.parse(sent.text) as { correlationId: string };
    const [delivery] = await receiving().waitFor(1);
    expect(JSON.parse(String(delivery?.body))).toMatchObject({ EventName: 'test-created' });
    await settledDeliveries();
    const status = await api('GET', `${REGISTRATION}/validationEvents/${correlationId}`);
    expect(JSON.parse(status.text)).toMatchObject({ correlationId, status: 'completed', callbackUrl: receiving().url });
    expect(JSON.parse(status.text).results).toHaveLength(1);
  });
});

describe('startMock', () => {
  it('refuses webhook options for the static mock', async () => {
    await expect(startMock({ mode: 'static', webhooks: { allow: ['loopback'] } } as never)).rejects.toThrow(/webhooks/);
  });

  it('sends events only where its webhook allow-list says', async () => {
    const strict = await startMock({ seed, webhooks: { allow: ['receiver.example:8080'] } });
    try {
      const refused = await sendRaw(strict.url, {
        method: 'POST',
        path: REGISTRATION,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ webhookUrl: receiving().url, webhookEvents: ['test-created'] }),
      });
      expect(refused.status, refused.text).toBe(400);
      expect(JSON.parse(refused.text).description).toContain('webhookUrl');
    } finally {
      await strict.close();
    }
  });
});
