// The webhook receiver against a stateful mock of the file's own (its registration must not be
// reset by the other files' tests): the mock's control grows a customer's cost past its budget,
// the mock delivers the signed alert, the receiver verifies it with the mock's root and reports the
// customer; the same delivery sent again is not handled twice, and forged ones are refused.
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageBudgetClient } from '@usagebudget/client';
import { type StatefulMock, startMock } from '@usagebudget/mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetAlertReceiver, describeOverBudget, type OverBudgetAlert } from '../src/webhook-receiver.js';

const BIG_SPENDER = '3d1f9c7a-6b2e-4f80-9a4c-1e5d7b3f8a20';

interface Captured {
  readonly body: Buffer;
  readonly headers: IncomingHttpHeaders;
}

let mock: StatefulMock;
let receiver: Server;
let tap: Server;
const alerts: OverBudgetAlert[] = [];
/** The deliveries the mock sent, as sent (the tap in front of the receiver keeps them). */
const captured: Captured[] = [];
let receiverUrl: string;

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/partner-center`;
};

/** POSTs `body` with `headers` to `url`; the answer's status and text. */
async function post(url: string, body: Buffer, headers: Record<string, string>) {
  const answer = await fetch(url, { method: 'POST', body, headers });
  return { status: answer.status, text: await answer.text() };
}

const SIGNED = ['content-type', 'authorization', 'x-ms-certificate-url', 'x-ms-signature-algorithm'];
const signedHeaders = ({ headers }: Captured) =>
  Object.fromEntries(SIGNED.filter((name) => headers[name] !== undefined).map((name) => [name, String(headers[name])]));

async function until<T>(read: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${what} within 15 s`);
}

beforeAll(async () => {
  mock = await startMock({ seed: 'test/mock-seed.json' });
  const client = new UsageBudgetClient({ baseURL: mock.url, credential: mock.token });
  // The mock's root and host instead of Partner Center's: what a team's test trusts.
  const trust = {
    roots: [mock.webhooks.rootCertificate],
    certificateHosts: [new URL(mock.webhooks.certificateUrl).host],
    certificatePathPrefix: '/webhooks/certificates/',
    allowHttp: true,
    organisation: mock.webhooks.organization,
  };
  receiver = createServer(budgetAlertReceiver({ client, trust, onAlert: (alert) => alerts.push(alert) }));
  receiverUrl = await listen(receiver);
  // In front of the receiver: keeps each delivery as sent, passes it on and its answer back.
  tap = createServer((incoming, answer) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.once('end', async () => {
      const delivery = { body: Buffer.concat(chunks), headers: incoming.headers };
      captured.push(delivery);
      const { status, text } = await post(receiverUrl, delivery.body, signedHeaders(delivery));
      answer.writeHead(status).end(text);
    });
  });
  const tapUrl = await listen(tap);
  await client.createWebhookRegistration({ webhookUrl: tapUrl, webhookEvents: ['usagerecords-thresholdExceeded'] });
});

afterAll(async () => {
  for (const server of [tap, receiver]) server?.closeAllConnections();
  await Promise.all([tap, receiver].map((server) => server && new Promise((resolve) => server.close(resolve))));
  await mock?.close();
});

describe('the budget alert receiver, against the stateful mock', () => {
  it('gets the alert when a customer crosses its budget, verified, with the customer over budget from the usage records', async () => {
    const grown = await mock.admin.increaseCost({ customer: BIG_SPENDER, increaseBy: '300' });
    expect(grown).toMatchObject({ overBudget: true, thresholdExceeded: true });
    const [alert] = await until(() => (alerts.length > 0 ? alerts : undefined), 'alert');
    expect(
      alert?.customers.map(({ customerTenantId, totalCost, budget }) => [customerTenantId, totalCost, budget]),
    ).toEqual([[BIG_SPENDER, '1090', 1000]]);
    expect(describeOverBudget(alert?.customers[0] as never)).toBe(
      `Big Spender Ltd (${BIG_SPENDER}) is over its budget: 1090 of 1000 USD (109%).`,
    );
    // Delivered once the receiver's 200 is back at the mock.
    const deliveries = await until(async () => {
      const delivered = await mock.admin.webhookDeliveries({ state: 'delivered' });
      return delivered.length > 0 ? delivered : undefined;
    }, 'delivered event');
    expect(deliveries.map(({ eventName, attempts }) => [eventName, attempts.at(-1)?.status])).toEqual([
      ['usagerecords-thresholdExceeded', 200],
    ]);
  });

  it('does not handle the same delivery twice: sent again, it is answered 200 as handled already', async () => {
    const delivery = await until(() => captured[0], 'delivery');
    const again = await post(receiverUrl, delivery.body, signedHeaders(delivery));
    expect(again).toMatchObject({ status: 200, text: expect.stringMatching(/^replay: /) });
    expect(alerts).toHaveLength(1);
  });

  it('refuses a forged signature and a changed body with 401, and reports nothing', async () => {
    const delivery = await until(() => captured[0], 'delivery');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = `Signature ${sign('sha256', delivery.body, privateKey).toString('base64')}`;
    const changed = Buffer.from(delivery.body.toString().replace('usagerecords', 'usageRecords'));
    for (const [body, headers] of [
      [delivery.body, { ...signedHeaders(delivery), authorization: forged }],
      [changed, signedHeaders(delivery)],
    ] as const) {
      const answer = await post(receiverUrl, body, headers);
      expect(answer.status).toBe(401);
      expect(answer.text).toMatch(/^bad-signature: /);
    }
    expect(alerts).toHaveLength(1);
  });
});
