// The SDK's receiver end to end against the reference server's process: a customer's budget
// lowered below its cost raises `usagerecords-thresholdExceeded`, the server delivers it signed
// to a `webhookHandler` on 127.0.0.1, which verifies it trusting the server's root and host, and
// `resolveThresholdExceeded` finds the customers over budget from the usage records.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  randomPartner,
  type ServerProcess,
  startServerProcess,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageBudgetClient, type WebhookEvent } from '../src/index.js';
import {
  createWebhookVerifier,
  resolveThresholdExceeded,
  verifyWebhookEvent,
  type WebhookDelivery,
  type WebhookTrust,
  WebhookVerificationError,
  webhookHandler,
} from '../src/webhooks.js';

const THRESHOLD = 'usagerecords-thresholdExceeded';
// The server retries a failed delivery after 0.1 s, at most 0.3 s apart.
const FAST_RETRIES = ['--webhook-first-retry', '0.1', '--webhook-max-retry', '0.3', '--no-access-log'];

/** Resolves with the value of `read` once `ok` holds (polled every 50 ms, at most 15 s). */
async function until<T>(read: () => T | Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('webhook deliveries from the reference server, verified by the SDK', () => {
  const partner = randomPartner('Webhook receiver partner', 0);
  const [lowered, equal, noBudget, alreadyOver] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const config = {
    partners: [
      {
        ...partner,
        customers: [
          { id: lowered, name: 'Lowered Ltd', cost: '80.125', budget: 100 },
          { id: equal, name: 'Equal Ltd', cost: '100', budget: 100 },
          { id: noBudget, name: 'No Budget Ltd', cost: '999' },
          { id: alreadyOver, name: 'Already Over Ltd', cost: '150.5', budget: 100 },
        ],
      },
    ],
  };
  let server: ServerProcess;
  let client: UsageBudgetClient;
  let trust: WebhookTrust;
  let receiver: Server;
  let receiverUrl: string;
  const handled: WebhookEvent[] = [];
  const deliveries: WebhookDelivery[] = [];
  let failNext = 0;

  beforeAll(async () => {
    server = await startServerProcess({ config, args: FAST_RETRIES });
    client = new UsageBudgetClient({ baseURL: server.url, credential: partner.tokens[0] as string });
    const rootPem = await (await fetch(`${server.url}/webhooks/certificates/root.pem`)).text();
    trust = {
      roots: [rootPem],
      certificateHosts: [new URL(server.url).host],
      certificatePathPrefix: '/webhooks/certificates/',
      allowHttp: true,
      organisation: 'usagebudget reference server',
    };
    receiver = createServer(
      webhookHandler({ trust }, (event, delivery) => {
        deliveries.push(delivery);
        if (failNext > 0) {
          failNext--;
          throw new Error('the receiver could not store the event');
        }
        handled.push(event);
      }),
    );
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/partner-center/events`;
  });
  afterAll(async () => {
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
    await server?.stop();
  });

  it('delivers a crossing to webhookHandler, which verifies it, and names the customers over budget', async () => {
    await client.createWebhookRegistration({ webhookUrl: receiverUrl, webhookEvents: [THRESHOLD, 'test-created'] });
    // One failure first: the handler answers 500, forgets the delivery, and the retry runs it again.
    failNext = 1;
    await client.setBudget(lowered, 50);
    const [event] = await until(
      () => handled.filter((each) => each.EventName === THRESHOLD),
      (events) => events.length >= 1,
    );
    expect(event).toMatchObject({ EventName: THRESHOLD, ResourceName: 'usagerecords' });
    expect(failNext).toBe(0);
    // The listener gets the delivery's exact bytes too (to store or forward), the same on the retry.
    const [failed, retried] = deliveries.slice(-2);
    expect(Buffer.from(retried?.body as Uint8Array).equals(Buffer.from(failed?.body as Uint8Array))).toBe(true);
    expect(JSON.parse(Buffer.from(retried?.body as Uint8Array).toString())).toEqual(event);
    const over = await resolveThresholdExceeded(client, event as WebhookEvent);
    expect(
      over.map(({ customerTenantId, name, totalCost, budget }) => ({ customerTenantId, name, totalCost, budget })),
    ).toEqual([
      { customerTenantId: lowered, name: 'Lowered Ltd', totalCost: '80.125', budget: 50 },
      { customerTenantId: alreadyOver, name: 'Already Over Ltd', totalCost: '150.5', budget: 100 },
    ]);
    expect(over[0]?.percentUsed).toBeCloseTo(160.25, 2);
  });

  it('refuses a forged event sent to the handler with 401 and the reason, and answers a replay 200 without running it again', async () => {
    const count = handled.length;
    const receiverCopy = await startWebhookReceiver();
    try {
      await client.updateWebhookRegistration({ webhookUrl: receiverCopy.url, webhookEvents: ['test-created'] });
      await client.sendWebhookTestEvent();
      const [delivery] = await receiverCopy.waitFor(1);
      if (!delivery) throw new Error('no delivery');
      const send = (body: Buffer, headers: Record<string, string>) =>
        fetch(receiverUrl, { method: 'POST', body: new Uint8Array(body), headers });
      const headers = Object.fromEntries(
        ['authorization', 'x-ms-certificate-url', 'x-ms-signature-algorithm', 'content-type'].map((name) => [
          name,
          String(delivery.headers[name]),
        ]),
      );
      const forged = Buffer.from(delivery.body.toString().replace('test-created', 'test-createe'));
      const refused = await send(forged, headers);
      expect(refused.status).toBe(401);
      expect(await refused.text()).toMatch(/^bad-signature/);
      expect((await send(delivery.body, headers)).status).toBe(200);
      expect(handled.length).toBe(count + 1);
      expect(handled.at(-1)?.EventName).toBe('test-created');
      const replayed = await send(delivery.body, headers);
      expect(replayed.status).toBe(200);
      expect(await replayed.text()).toMatch(/^replay/);
      expect(handled.length).toBe(count + 1);
    } finally {
      await receiverCopy.close();
    }
  });

  it('answers 405 to another method and 413 to a body past its bound, unread', async () => {
    expect((await fetch(receiverUrl)).status).toBe(405);
    const big = await fetch(receiverUrl, { method: 'POST', body: new Uint8Array(70_000) });
    expect(big.status).toBe(413);
  });

  it('verifies a delivery the server signed into x-ms-signature; default options refuse its certificate URL unfetched', async () => {
    const raw: WebhookReceiver = await startWebhookReceiver();
    try {
      await client.updateWebhookRegistration({
        webhookUrl: raw.url,
        webhookEvents: ['test-created'],
        signatureTokenToMsSignatureHeader: true,
      });
      await until(
        async () =>
          (await client.sendWebhookTestEvent().then(
            () => true,
            () => false,
          )) || raw.deliveries.length > 0,
        (sent) => sent,
      );
      const [delivery] = await raw.waitFor(1);
      if (!delivery) throw new Error('no delivery');
      expect(delivery.headers.authorization).toBeUndefined();
      const event = await createWebhookVerifier({ trust }).verify({ body: delivery.body, headers: delivery.headers });
      expect(event.EventName).toBe('test-created');
      let fetched = 0;
      const refusal = await verifyWebhookEvent(delivery, {
        fetchCertificate: async () => {
          fetched++;
          return new Uint8Array();
        },
      }).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(WebhookVerificationError);
      expect((refusal as WebhookVerificationError).reason).toBe('untrusted-certificate-url');
      expect(fetched).toBe(0);
    } finally {
      await raw.close();
    }
  });

  it('refuses to resolve an event of another name, reading nothing', async () => {
    const event = { EventName: 'test-created', ResourceName: 'test', ResourceChangeUtcDate: '2026-01-01T00:00:00Z' };
    await expect(resolveThresholdExceeded(client, event)).rejects.toBeInstanceOf(TypeError);
    const elsewhere = { ...event, EventName: THRESHOLD, ResourceUri: 'https://evil.example/v1/customers' };
    await expect(resolveThresholdExceeded(client, elsewhere)).rejects.toBeInstanceOf(TypeError);
  });
});
