// usagerecords-thresholdExceeded on a running server: raised once per crossing per billing period
// where cost and budget change (a PATCH; a cost that grows, through the extension point as the
// mock's control does), in the same transaction as the change: the outbox holds the event when
// the change is answered. Real sockets: the server listens, a receiver gets each event.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ExtensionContext, parseConfig, type RunningServer, startServer } from '../../src/index.js';
import {
  budgetPath,
  jsonHeaders,
  randomPartner,
  sendRaw,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../src/testing/index.js';
import { register, verifyDelivery } from '../support/webhooks.js';

const partner = randomPartner('Crossing partner', 4);
const unregistered = randomPartner('Partner without a registration', 1);
const [spender, unbudgeted, steady, replayed] = partner.customers as [string, string, string, string];
const token = partner.tokens[0] as string;
const config = {
  partners: [
    {
      ...partner,
      customers: [
        { id: spender, cost: '80', budget: 100 },
        { id: unbudgeted, cost: '500' },
        { id: steady, cost: '100', budget: 100 },
        { id: replayed, cost: '90', budget: 100 },
      ],
    },
    { ...unregistered, customers: [{ id: unregistered.customers[0] as string, cost: '10', budget: 5 }] },
  ],
};

let context: ExtensionContext;
let server: RunningServer;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startServer({
    port: 0,
    db: ':memory:',
    config,
    extend: (given) => {
      context = given;
      return { listener: given.api };
    },
  });
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});
beforeEach(async () => {
  await context.reset(parseConfig(config));
  const registered = await register(server.url, token, {
    webhookUrl: receiver.url,
    webhookEvents: ['usagerecords-thresholdExceeded', 'test-created'],
  });
  expect(registered.status).toBe(200);
});

const thresholdEvents = async () =>
  (await context.webhookEvents({ partnerId: partner.id })).filter(
    ({ eventName }) => eventName === 'usagerecords-thresholdExceeded',
  );
const setBudget = (customer: string, amount: number | null, requestId = randomUUID()) =>
  sendRaw(server.url, {
    method: 'PATCH',
    path: budgetPath(customer),
    headers: jsonHeaders(token, { 'MS-RequestId': requestId }),
    body: JSON.stringify({ amount }),
  });

describe('usagerecords-thresholdExceeded', () => {
  it('is raised by a PATCH lowering a budget below the cost, in its transaction, and delivered signed', async () => {
    const before = receiver.deliveries.length;
    expect((await setBudget(spender, 79.99)).status).toBe(200);
    // Answered: the event is in the outbox already, raised by the same transaction.
    expect(await thresholdEvents()).toHaveLength(1);
    const delivery = (await receiver.waitFor(before + 1))[before];
    if (!delivery) throw new Error('no delivery');
    expect(JSON.parse(delivery.body.toString())).toEqual({
      EventName: 'usagerecords-thresholdExceeded',
      ResourceUri: `${server.url}/v1/customers/usagerecords`,
      ResourceName: 'usagerecords',
      AuditUri: null,
      ResourceChangeUtcDate: expect.stringMatching(/\+00:00$/),
    });
    await verifyDelivery(server.url, delivery);
  });

  it('is raised once when the cost grows past the budget, not again while over, and again after going back under', async () => {
    const grown = await context.increaseCost(spender, { cost: '15' });
    expect(grown).toMatchObject({ totalCost: '95', overBudget: false, thresholdExceeded: undefined });
    const crossed = await context.increaseCost(spender, { cost: '5.00000000000000000001' });
    expect(crossed).toMatchObject({ totalCost: '100.00000000000000000001', overBudget: true });
    expect(crossed?.thresholdExceeded).toMatchObject({ raised: true });
    expect(await thresholdEvents()).toHaveLength(1);

    // Still over: no second event, whether the cost grows or the budget is lowered again.
    await context.increaseCost(spender, { cost: '50' });
    expect((await setBudget(spender, 90)).status).toBe(200);
    expect(await thresholdEvents()).toHaveLength(1);

    // Back at or under its budget (raised to the cost), then over again: a new crossing.
    expect((await setBudget(spender, 200)).status).toBe(200);
    expect(await thresholdEvents()).toHaveLength(1);
    await context.increaseCost(spender, { cost: '100' });
    expect(await thresholdEvents()).toHaveLength(2);
  });

  it('is raised by neither a cost equal to the budget nor a customer without a budget; clearing a budget resets the crossing', async () => {
    expect((await context.increaseCost(steady, { cost: '0.000001' }))?.thresholdExceeded).toMatchObject({
      raised: true,
    });
    expect((await setBudget(steady, 100.000001)).status).toBe(200); // equal: not over
    expect((await context.increaseCost(unbudgeted, { cost: '1000' }))?.overBudget).toBe(false);
    expect(await thresholdEvents()).toHaveLength(1);
    expect((await setBudget(steady, null)).status).toBe(200);
    expect((await setBudget(steady, 1)).status).toBe(200); // a budget set below the cost: a new crossing
    expect(await thresholdEvents()).toHaveLength(2);
  });

  it('is raised once for a PATCH retried with the same MS-RequestId', async () => {
    const requestId = randomUUID();
    expect((await setBudget(replayed, 10, requestId)).status).toBe(200);
    expect((await setBudget(replayed, 10, requestId)).status).toBe(200);
    expect(await thresholdEvents()).toHaveLength(1);
  });

  it('is not raised for a partner not registered for it, and registering later does not raise an old crossing', async () => {
    const other = unregistered.customers[0] as string;
    expect((await context.increaseCost(other, { cost: '1' }))?.thresholdExceeded).toBeUndefined();
    expect(await context.webhookEvents({ partnerId: unregistered.id })).toEqual([]);
    await register(server.url, unregistered.tokens[0] as string, {
      webhookUrl: receiver.url,
      webhookEvents: ['usagerecords-thresholdExceeded'],
    });
    await context.increaseCost(other, { cost: '1' });
    expect(await context.webhookEvents({ partnerId: unregistered.id })).toEqual([]);
  });

  it('cannot be raised by an increase that is not a decimal above 0, nor for a customer without usage', async () => {
    for (const cost of ['-1', '0', '1e3', 'ten', '']) {
      await expect(context.increaseCost(spender, { cost }), cost).rejects.toThrow(RangeError);
    }
    expect(await context.increaseCost(randomUUID(), { cost: '1' })).toBeUndefined();
    expect(await thresholdEvents()).toEqual([]);
  });
});
