// Deliveries from the bin's durable outbox, as a process: a receiver down for a while gets the
// event when it is back; a server killed with kill -9 between a crossing and its delivery
// delivers it after a restart; 10 failed attempts park an event; the allow-list refuses targets
// off it and a redirect is not followed; a new billing period raises a crossing again. On both
// engines: each server on a database of its own (useDatabases).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/index.js';
import {
  budgetPath,
  jsonHeaders,
  randomPartner,
  type ServerProcess,
  sendRaw,
  startServerProcess,
  startWebhookReceiver,
} from '../../src/testing/index.js';
import { useDatabases } from '../support/use-server.js';
import { register, sendTestEvent, statusWhen, verifyDelivery } from '../support/webhooks.js';

const databases = useDatabases();
const FAST_RETRIES = ['--webhook-first-retry', '0.1', '--webhook-max-retry', '0.3'];
// On PostgreSQL a restarted server does not release the leases of the one killed before it
// (other replicas may hold theirs): its events wait for their lease to end, the attempt's time
// limit and 5 s. The tests that kill a server shorten it.
const SHORT_LEASE = ['--webhook-timeout', '3'];
const THRESHOLD = 'usagerecords-thresholdExceeded';

/** A partner of its own, one customer spending 80 of a budget of 100 this period. */
function crossingPartner(billingStart = '2024-05-01T00:00:00+00:00', billingEnd = '2024-06-01T00:00:00+00:00') {
  const partner = randomPartner('Delivery partner');
  const customer = partner.customers[0] as string;
  const config: ServerConfig = {
    partners: [
      {
        ...partner,
        billingPeriod: { start: billingStart, end: billingEnd },
        customers: [{ id: customer, cost: '80', budget: 100 }],
      },
    ],
  };
  return { config, customer, token: partner.tokens[0] as string, partnerId: partner.id };
}

const setBudget = (server: ServerProcess, token: string, customer: string, amount: number) =>
  sendRaw(server.url, {
    method: 'PATCH',
    path: budgetPath(customer),
    headers: jsonHeaders(token, { 'MS-RequestId': randomUUID() }),
    body: JSON.stringify({ amount }),
  });

const eventNames = (bodies: readonly { body: Buffer }[]) =>
  bodies.map(({ body }) => JSON.parse(body.toString()).EventName);

describe('webhook deliveries', () => {
  it('reach a receiver that was down for a while once it is back, with every failed attempt in the status', async () => {
    const { config, token } = crossingPartner();
    const receiver = await startWebhookReceiver();
    const server = await startServerProcess({ config, db: await databases.fresh(), args: FAST_RETRIES });
    try {
      await register(server.url, token, { webhookUrl: receiver.url, webhookEvents: ['test-created'] });
      await receiver.down();
      const { correlationId } = JSON.parse((await sendTestEvent(server.url, token)).text);
      const failing = await statusWhen(server.url, token, correlationId, ({ results }) => results.length >= 2);
      expect(failing.status).toBe('pending');
      for (const result of failing.results) {
        expect(result).toMatchObject({
          responseCode: '',
          systemError: false,
          responseMessage: expect.stringMatching(/ECONNREFUSED/),
        });
      }
      await receiver.up();
      const [delivery] = await receiver.waitFor(1);
      if (!delivery) throw new Error('no delivery');
      await verifyDelivery(server.url, delivery);
      const done = await statusWhen(server.url, token, correlationId, ({ status }) => status === 'completed');
      expect(done.results.at(-1)?.responseCode).toBe('OK');
      expect(done.results.length).toBeGreaterThanOrEqual(3);
    } finally {
      await server.stop();
      await receiver.close();
    }
  });

  it('survive kill -9 between the crossing and the delivery: the event arrives after the restart, and is acknowledged once', async () => {
    const { config, token, customer } = crossingPartner();
    const db = await databases.fresh();
    const receiver = await startWebhookReceiver();
    const args = [...FAST_RETRIES, ...SHORT_LEASE];
    let server = await startServerProcess({ config, db, args });
    try {
      await register(server.url, token, { webhookUrl: receiver.url, webhookEvents: [THRESHOLD] });
      // The receiver takes the event and hangs: the attempt is in flight (its event leased) when
      // the server dies, so no answer was recorded.
      receiver.hold();
      expect((await setBudget(server, token, customer, 50)).status).toBe(200);
      await receiver.waitFor(1);
      process.kill(server.pid, 'SIGKILL');
      expect(await server.exited).toBe('SIGKILL');
      receiver.answerWith(200);
      server = await startServerProcess({ config, db, args });
      const [held, delivered] = await receiver.waitFor(2, 20_000);
      if (!held || !delivered) throw new Error('no delivery');
      expect(delivered.body.equals(held.body), 'the same event, byte for byte').toBe(true);
      expect(eventNames([delivered])).toEqual([THRESHOLD]);
      await verifyDelivery(server.url, delivered);
      await sleep(500);
      expect(receiver.deliveries).toHaveLength(2);
      await server.stop();
      const events = await databases.webhookEvents(db);
      expect(events.map(({ eventName, state, attempts }) => [eventName, state, attempts.length])).toEqual([
        [THRESHOLD, 'delivered', 1],
      ]);
      // A restart after the acknowledgement sends nothing again.
      server = await startServerProcess({ config, db, args });
      await sleep(500);
      expect(receiver.deliveries).toHaveLength(2);
    } finally {
      await server.stop();
      await receiver.close();
    }
  });

  it('lose no event to kill -9 at any moment: every crossing acknowledged is delivered', async () => {
    const { config, token, customer } = crossingPartner();
    const db = await databases.fresh();
    const receiver = await startWebhookReceiver();
    const options = { config, db, args: [...FAST_RETRIES, ...SHORT_LEASE, '--no-access-log'] };
    let server = await startServerProcess(options);
    let acknowledged = 0;
    try {
      await register(server.url, token, { webhookUrl: receiver.url, webhookEvents: [THRESHOLD] });
      // Bounded: a few rounds, each a crossing and a reset, with the kill at a random moment.
      for (let round = 0; round < 5; round++) {
        if ((await setBudget(server, token, customer, 50)).status === 200) acknowledged++;
        expect((await setBudget(server, token, customer, 100)).status).toBe(200);
        await sleep(Math.random() * 20);
        process.kill(server.pid, 'SIGKILL');
        await server.exited;
        server = await startServerProcess(options);
      }
      await receiver.waitFor(acknowledged, 30_000);
      const distinct = new Set(receiver.deliveries.map(({ body }) => body.toString()));
      expect(distinct.size).toBe(acknowledged);
    } finally {
      await server.stop();
      await receiver.close();
    }
  });

  it('park an event after 10 failed attempts: no 11th, the status failed, the log and the store say so', async () => {
    const { config, token } = crossingPartner();
    const db = await databases.fresh();
    const receiver = await startWebhookReceiver();
    receiver.answerWith(500);
    const server = await startServerProcess({
      config,
      db,
      args: ['--webhook-first-retry', '0.02', '--webhook-max-retry', '0.1'],
    });
    try {
      await register(server.url, token, { webhookUrl: receiver.url, webhookEvents: ['test-created'] });
      const { correlationId } = JSON.parse((await sendTestEvent(server.url, token)).text);
      await receiver.waitFor(10, 15_000);
      const parked = await statusWhen(server.url, token, correlationId, ({ status }) => status === 'failed');
      expect(parked.status).toBe('failed');
      expect(parked.results).toHaveLength(10);
      expect(new Set(parked.results.map(({ responseCode }) => responseCode))).toEqual(new Set(['InternalServerError']));
      await sleep(500);
      expect(receiver.deliveries).toHaveLength(10);
      expect(server.output()).toMatch(/"kind":"webhook"[^\n]*"attempt":10[^\n]*"outcome":"parked"/);
    } finally {
      await server.stop();
      await receiver.close();
    }
    expect((await databases.webhookEvents(db, { state: 'parked' })).map(({ attempts }) => attempts.length)).toEqual([
      10,
    ]);
  });

  it('go only where the allow-list says, and follow no redirect', async () => {
    const { config, token } = crossingPartner();
    const receiver = await startWebhookReceiver();
    const elsewhere = await startWebhookReceiver();
    const port = new URL(receiver.url).port;
    const server = await startServerProcess({
      config,
      db: await databases.fresh(),
      args: ['--webhook-allow', `127.0.0.1:${port}`],
    });
    try {
      // Not loopback any more: only the one receiver listed.
      for (const url of [elsewhere.url, `http://localhost:${port}/events`, 'http://10.0.0.1/events']) {
        const refused = await register(server.url, token, { webhookUrl: url, webhookEvents: ['test-created'] });
        expect([refused.status, JSON.parse(refused.text).data], url).toEqual([400, ['webhookUrl']]);
      }
      receiver.answerWith(307, { Location: elsewhere.url });
      await register(server.url, token, { webhookUrl: receiver.url, webhookEvents: ['test-created'] });
      const { correlationId } = JSON.parse((await sendTestEvent(server.url, token)).text);
      const redirected = await statusWhen(server.url, token, correlationId, ({ results }) => results.length > 0);
      expect(redirected.results[0]).toMatchObject({
        responseCode: 'TemporaryRedirect',
        responseMessage: `redirect to ${elsewhere.url} not followed`,
      });
      expect(redirected.status).toBe('pending');
      await sleep(300);
      expect(elsewhere.deliveries).toHaveLength(0);
    } finally {
      await server.stop();
      await receiver.close();
      await elsewhere.close();
    }
  });

  it('raise a crossing again in a new billing period for a customer still over, once', async () => {
    const may = crossingPartner();
    const june = {
      ...may.config,
      partners: may.config.partners.map((partner) => ({
        ...partner,
        billingPeriod: { start: '2024-06-01T00:00:00+00:00', end: '2024-07-01T00:00:00+00:00' },
      })),
    };
    const db = await databases.fresh();
    const receiver = await startWebhookReceiver();
    let server = await startServerProcess({ config: may.config, db, args: FAST_RETRIES });
    try {
      await register(server.url, may.token, { webhookUrl: receiver.url, webhookEvents: [THRESHOLD] });
      expect((await setBudget(server, may.token, may.customer, 50)).status).toBe(200);
      await receiver.waitFor(1);
      await server.stop();
      // The same partner, its customer still over its budget, in June: a new crossing.
      server = await startServerProcess({ config: june, db, args: FAST_RETRIES });
      await receiver.waitFor(2);
      await server.stop();
      server = await startServerProcess({ config: june, db, args: FAST_RETRIES });
      await sleep(500);
      expect(eventNames(receiver.deliveries)).toEqual([THRESHOLD, THRESHOLD]);
    } finally {
      await server.stop();
      await receiver.close();
    }
  });
});
