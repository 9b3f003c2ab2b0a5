import { randomUUID, X509Certificate } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/index.js';
import {
  budgetPath,
  jsonHeaders,
  type ReceivedDelivery,
  randomPartner,
  type ServerProcess,
  sendRaw,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../src/testing/index.js';
import { certificateFileName } from '../../src/webhooks/signing-keys.js';
import { useReplicas } from '../support/use-replicas.js';
import { register, sendTestEvent, verifyDelivery } from '../support/webhooks.js';

// Issue 24: webhooks from several server processes (replicas) on one PostgreSQL database. They
// sign with one key and serve one certificate chain (the database's secrets); an event raised on
// one is delivered by whichever claims it, once; a replica's lease outlives it by its end only.
// Each replica's `x-ms-certificate-url` is its own URL here (no --public-url): it tells which
// replica sent a delivery.

const THRESHOLD = 'usagerecords-thresholdExceeded';
// A long poll: an event another replica raised is found through NOTIFY, not by looking.
const ARGS = ['--webhook-poll', '600'];

const replicaSets = useReplicas('replica_webhooks');
const receivers: WebhookReceiver[] = [];

/** A partner of its own whose `count` customers each spend 80 of a budget of 100 this period. */
function crossingPartner(count: number) {
  const partner = randomPartner('Replicated webhooks partner', count);
  const config: ServerConfig = {
    partners: [
      {
        ...partner,
        billingPeriod: { start: '2024-05-01T00:00:00+00:00', end: '2024-06-01T00:00:00+00:00' },
        customers: partner.customers.map((id) => ({ id, cost: '80', budget: 100 })),
      },
    ],
  };
  return { config, customers: partner.customers, token: partner.tokens[0] as string };
}

/** `count` replicas on a fresh database, started at once, with `args` after the shared ones. */
const replicas = (config: ServerConfig, count: number, args: readonly string[] = []) =>
  replicaSets.start(config, count, [...ARGS, ...args]);

async function receiver() {
  const started = await startWebhookReceiver();
  receivers.push(started);
  return started;
}

/** The replica a delivery came from: the one whose URL its `x-ms-certificate-url` starts with. */
function senderOf(servers: readonly ServerProcess[], delivery: ReceivedDelivery): ServerProcess {
  const url = String(delivery.headers['x-ms-certificate-url']);
  const sender = servers.find((server) => url.startsWith(`${server.url}/`));
  if (!sender) throw new Error(`no replica sent ${url}`);
  return sender;
}

const lowerBudget = (server: ServerProcess, token: string, customer: string) =>
  sendRaw(server.url, {
    method: 'PATCH',
    path: budgetPath(customer),
    headers: jsonHeaders(token, { 'MS-RequestId': randomUUID() }),
    body: '{"amount": 50}',
  });

/** Polls `read` (at most 20 s) until it returns `expected`; returns what it read last. */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value === expected || Date.now() > deadline) return value as T;
    await sleep(200);
  }
}

afterAll(async () => {
  await Promise.allSettled(receivers.map((started) => started.close()));
});

describe('webhooks from replicas on one PostgreSQL database', () => {
  it('sign alike: a delivery from either verifies against the root and the certificate fetched from the other', async () => {
    const { config, token } = crossingPartner(1);
    const { servers } = await replicas(config, 2);
    const [first, second] = servers as [ServerProcess, ServerProcess];
    const events = await receiver();
    expect((await register(first.url, token, { webhookUrl: events.url, webhookEvents: ['test-created'] })).status).toBe(
      200,
    );
    for (const server of servers) expect((await sendTestEvent(server.url, token)).status).toBe(200);
    const deliveries = await events.waitFor(2);
    for (const delivery of deliveries) {
      const sender = senderOf(servers, delivery);
      await verifyDelivery(sender.url, delivery, sender === first ? second.url : first.url);
    }
    const paths = deliveries.map((delivery) => new URL(String(delivery.headers['x-ms-certificate-url'])).pathname);
    expect(new Set(paths).size, 'one certificate').toBe(1);
  });

  it('deliver each of N crossings raised through both exactly once', async () => {
    const count = 16;
    const { config, token, customers } = crossingPartner(count);
    const { name, servers } = await replicas(config, 2);
    const events = await receiver();
    await register(servers[0]?.url as string, token, { webhookUrl: events.url, webhookEvents: [THRESHOLD] });
    const answers = await Promise.all(
      customers.map((customer, index) => lowerBudget(servers[index % 2] as ServerProcess, token, customer)),
    );
    expect(answers.map(({ status }) => status)).toEqual(customers.map(() => 200));
    await events.waitFor(count, 20_000);
    // Both replicas look at the outbox on every NOTIFY: a second delivery would come now.
    await sleep(1_000);
    expect(events.deliveries).toHaveLength(count);
    const perEvent = await replicaSets
      .postgres()
      .psql(
        "SELECT e.state || ' ' || count(a.attempt) FROM webhook_events e LEFT JOIN webhook_attempts a USING (event_id) GROUP BY e.event_id, e.state",
        name,
      );
    expect(perEvent.split('\n').sort()).toEqual(customers.map(() => 'delivered 1'));
  });

  it('deliver from the survivor, once its lease ends, an event whose replica was killed with kill -9 while sending it', async () => {
    const { config, token, customers } = crossingPartner(1);
    // A lease of 10 s (the attempt's 5 s and 5 s): the attempt never times out before the kill.
    const { name, servers } = await replicas(config, 2, ['--webhook-timeout', '5']);
    const events = await receiver();
    await register(servers[0]?.url as string, token, { webhookUrl: events.url, webhookEvents: [THRESHOLD] });
    events.hold();
    expect((await lowerBudget(servers[0] as ServerProcess, token, customers[0] as string)).status).toBe(200);
    const [held] = await events.waitFor(1);
    if (!held) throw new Error('no delivery');
    const doomed = senderOf(servers, held);
    const survivor = servers.find((server) => server !== doomed) as ServerProcess;
    process.kill(doomed.pid, 'SIGKILL');
    expect(await doomed.exited).toBe('SIGKILL');
    events.answerWith(200);
    const [, delivered] = await events.waitFor(2, 30_000);
    if (!delivered) throw new Error('no second delivery');
    expect(senderOf(servers, delivered)).toBe(survivor);
    expect(delivered.body.equals(held.body), 'the same event, byte for byte').toBe(true);
    await verifyDelivery(survivor.url, delivered);
    expect(await replicaSets.postgres().psql("SELECT state || ' ' || attempts FROM webhook_events", name)).toBe(
      'delivered 1',
    );
  });

  it('listen again and deliver after the database restarted under them', async () => {
    const { config, token, customers } = crossingPartner(2);
    const { name, servers } = await replicas(config, 2);
    const events = await receiver();
    await register(servers[0]?.url as string, token, { webhookUrl: events.url, webhookEvents: [THRESHOLD] });
    const listening = () =>
      replicaSets
        .postgres()
        .psql(
          `SELECT count(*) FROM pg_stat_activity WHERE datname = '${name}' AND application_name = 'usagebudget-server outbox'`,
        );
    expect(await eventually(listening, '2')).toBe('2');
    await replicaSets.postgres().shutDown();
    await replicaSets.postgres().startAgain();
    expect(await eventually(listening, '2'), 'each replica listens again').toBe('2');
    for (const [index, server] of servers.entries()) {
      const ok = async () => (await lowerBudget(server, token, customers[index] as string)).status;
      expect(await eventually(ok, 200)).toBe(200);
    }
    await events.waitFor(2, 20_000);
    await sleep(500);
    expect(events.deliveries).toHaveLength(2);
  });

  it('serve every signing certificate any of them signs with: one renewed while another runs is served by both', async () => {
    const { config } = crossingPartner(1);
    const { name, servers } = await replicas(config, 1);
    const signingName = async () => {
      const kept = await replicaSets
        .postgres()
        .psql("SELECT value FROM server_secrets WHERE name = 'webhook-signing'", name);
      const certificate = new X509Certificate((JSON.parse(kept) as { certificatePem: string }).certificatePem);
      return {
        raw: certificate.raw,
        path: `/webhooks/certificates/${certificateFileName(certificate)}`,
      };
    };
    const before = await signingName();
    // As a renewal does: the signing pair replaced (here: gone, so the next start makes another).
    await replicaSets.postgres().psql("DELETE FROM server_secrets WHERE name = 'webhook-signing'", name);
    const { servers: later } = await replicaSets.startOn(name, config, 1, ARGS);
    const after = await signingName();
    expect(after.path).not.toBe(before.path);
    for (const server of [...servers, ...later]) {
      for (const { path, raw } of [before, after]) {
        const response = await fetch(`${server.url}${path}`);
        expect(response.status, `${server.url}${path}`).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/pkix-cert');
        expect(Buffer.from(await response.arrayBuffer()).equals(raw)).toBe(true);
      }
      expect((await fetch(`${server.url}/webhooks/certificates/signing-0000000000000000.cer`)).status).toBe(404);
    }
  });
});
