// The webhook registration methods against the reference server's process: list, register, read,
// replace, a test event and its delivery status; and the arguments refused before sending.
import {
  randomPartner,
  type ServerProcess,
  startServerProcess,
  startWebhookReceiver,
} from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, UsageBudgetClient, ValidationError } from '../src/index.js';

describe('webhook registration against the reference server', () => {
  const partner = randomPartner('Webhook registration partner');
  let server: ServerProcess;
  let client: UsageBudgetClient;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    server = await startServerProcess({ config: { partners: [partner] }, args: ['--no-access-log'] });
    client = new UsageBudgetClient({ baseURL: server.url, credential: partner.tokens[0] as string });
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
  });

  it('lists the events a registration may name, as an array of names', async () => {
    const events = await client.listWebhookEvents();
    expect(events).toContain('usagerecords-thresholdExceeded');
    expect(events).toContain('test-created');
  });

  it('reads no registration as a NotFoundError, then creates, reads and replaces one', async () => {
    await expect(client.getWebhookRegistration()).rejects.toBeInstanceOf(NotFoundError);
    const created = await client.createWebhookRegistration({
      webhookUrl: receiver.url,
      webhookEvents: ['test-created'],
    });
    expect(created).toMatchObject({ webhookUrl: receiver.url, webhookEvents: ['test-created'] });
    expect(created.subscriberId).toBeTruthy();
    await expect(
      client.createWebhookRegistration({ webhookUrl: receiver.url, webhookEvents: ['test-created'] }),
    ).rejects.toBeInstanceOf(ConflictError);
    const updated = await client.updateWebhookRegistration({
      webhookUrl: receiver.url,
      webhookEvents: ['test-created', 'usagerecords-thresholdExceeded'],
      signatureTokenToMsSignatureHeader: true,
    });
    expect(updated).toMatchObject({
      subscriberId: created.subscriberId,
      webhookEvents: ['test-created', 'usagerecords-thresholdExceeded'],
      signatureTokenToMsSignatureHeader: true,
    });
    expect(await client.getWebhookRegistration()).toMatchObject(updated);
  });

  it('sends a test event and reads its delivery, one result per attempt', async () => {
    const { correlationId } = await client.sendWebhookTestEvent();
    const [delivery] = await receiver.waitFor(1);
    expect(JSON.parse(String(delivery?.body)).EventName).toBe('test-created');
    expect(delivery?.headers['x-ms-signature']).toMatch(/^Signature /);
    let status = await client.getWebhookTestEvent(correlationId);
    for (let tries = 0; status.status === 'pending' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await client.getWebhookTestEvent(correlationId);
    }
    expect(status).toMatchObject({ correlationId, status: 'completed', callbackUrl: receiver.url });
    expect(status.results.at(-1)?.responseCode).toBe('OK');
  });
});

describe('webhook registration arguments', () => {
  // Nothing may be sent: a transport that fails the test if it is reached.
  const client = new UsageBudgetClient({
    baseURL: 'http://127.0.0.1:9',
    credential: 'token',
    maxRetries: 0,
    axios: { request: () => Promise.reject(new Error('sent')) } as never,
  });
  const valid = { webhookUrl: 'https://alerts.example.com/events', webhookEvents: ['test-created'] };

  it.each([
    ['a relative URL', { ...valid, webhookUrl: '/events' }, 'webhookUrl'],
    ['another scheme', { ...valid, webhookUrl: 'ftp://alerts.example.com/events' }, 'webhookUrl'],
    ['a URL with a user name', { ...valid, webhookUrl: 'https://user:pw@alerts.example.com/' }, 'webhookUrl'],
    ['a URL with a fragment', { ...valid, webhookUrl: 'https://alerts.example.com/#x' }, 'webhookUrl'],
    ['a URL longer than 2048', { ...valid, webhookUrl: `https://a.example.com/${'a'.repeat(2048)}` }, 'webhookUrl'],
    ['no events', { ...valid, webhookEvents: [] }, 'webhookEvents'],
    ['an empty event name', { ...valid, webhookEvents: [''] }, 'webhookEvents[0]'],
    ['an event name twice', { ...valid, webhookEvents: ['test-created', 'test-created'] }, 'webhookEvents[1]'],
    ['a non-string event', { ...valid, webhookEvents: [42] }, 'webhookEvents[0]'],
    [
      'a non-boolean header choice',
      { ...valid, signatureTokenToMsSignatureHeader: 'yes' },
      'signatureTokenToMsSignatureHeader',
    ],
  ])('refuses %s before sending', async (_, registration, field) => {
    for (const call of [client.createWebhookRegistration, client.updateWebhookRegistration]) {
      const error = await call.call(client, registration as never).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('refuses a correlation ID that is not a GUID before sending', async () => {
    await expect(client.getWebhookTestEvent('../registration')).rejects.toBeInstanceOf(ValidationError);
  });
});
