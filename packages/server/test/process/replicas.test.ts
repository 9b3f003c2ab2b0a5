import { randomUUID, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/index.js';
import {
  budgetPath,
  jsonHeaders,
  type RawResponse,
  randomPartner,
  type ServerProcess,
  sendRaw,
} from '../../src/testing/index.js';
import { certificateFileName } from '../../src/webhooks/signing-keys.js';
import { useReplicas } from '../support/use-replicas.js';

// Issue 24: several server processes (replicas) on one PostgreSQL database, as behind a load
// balancer. What one replica acknowledged, every replica serves; a request that reaches two of
// them counts once.

const partner = randomPartner('Replicated partner', 24);
const token = partner.tokens[0] as string;
// Replicas share their config, its continuation token secret included.
const config = { partners: [partner], continuationTokenSecret: 'replicas share this secret, 32+ chars' };

const replicaSets = useReplicas('replicas');
/** `count` replicas on a fresh database, started at once (with `config`, by default the one sharing a token secret). */
const replicas = (count: number, replicaConfig: ServerConfig = config) => replicaSets.start(replicaConfig, count);
const patch = (server: ServerProcess, customer: string, amount: string, requestId = randomUUID()) =>
  sendRaw(server.url, {
    method: 'PATCH',
    path: budgetPath(customer),
    headers: jsonHeaders(token, { 'MS-RequestId': requestId }),
    body: `{"amount": ${amount}}`,
  });
const amountOf = (answer: RawResponse) => (JSON.parse(answer.text) as { amount: number | null }).amount;

/** A listing started on one replica goes on on another with the token it got. */
async function continuationAcross(replicaConfig: ServerConfig) {
  const { servers } = await replicas(2, replicaConfig);
  const [first, second] = servers as [ServerProcess, ServerProcess];
  const page = await sendRaw(first.url, { path: '/v1/customers?size=5', headers: jsonHeaders(token) });
  const { continuationToken, items } = JSON.parse(page.text) as {
    continuationToken: string;
    items: { id: string }[];
  };
  const next = await sendRaw(second.url, {
    path: '/v1/customers?seekOperation=Next',
    headers: jsonHeaders(token, { 'MS-ContinuationToken': continuationToken }),
  });
  expect(next.status, next.text).toBe(200);
  const following = (JSON.parse(next.text) as { items: { id: string }[] }).items.map(({ id }) => id);
  expect([...items.map(({ id }) => id), ...following]).toEqual(partner.customers.slice(0, 10));
}

describe('replicas on one PostgreSQL database', () => {
  it('apply a PATCH that reaches two of them with the same MS-RequestId at the same instant once, and answer both alike', async () => {
    const { name, servers } = await replicas(2);
    const [first, second] = servers as [ServerProcess, ServerProcess];
    const customers = partner.customers.slice(0, 12);
    const answers = await Promise.all(
      customers.map(async (customer, index) => {
        const requestId = randomUUID();
        return Promise.all([
          patch(first, customer, `${index}.5`, requestId),
          patch(second, customer, `${index}.5`, requestId),
        ]);
      }),
    );
    for (const [one, other] of answers) {
      expect([one.status, other.status]).toEqual([200, 200]);
      expect(other.text).toBe(one.text);
    }
    expect(await replicaSets.postgres().psql('SELECT count(*) FROM budget_applies', name)).toBe(
      String(customers.length),
    );
  });

  it("open each other's continuation tokens, with a secret in the config or without one (the database's)", async () => {
    for (const replicaConfig of [config, { partners: [partner] }]) {
      await continuationAcross(replicaConfig);
    }
  });

  it('started three at once, serve one test root and one signing certificate, the database kept', async () => {
    const { name, servers } = await replicas(3, { partners: [partner] });
    const kept = JSON.parse(
      await replicaSets.postgres().psql("SELECT value FROM server_secrets WHERE name = 'webhook-signing'", name),
    ) as { certificatePem: string };
    const certificate = new X509Certificate(kept.certificatePem);
    const path = `/webhooks/certificates/${certificateFileName(certificate)}`;
    const served = await Promise.all(
      servers.map(async (server) => {
        const [root, signing] = await Promise.all([
          fetch(`${server.url}/webhooks/certificates/root.pem`).then((response) => response.text()),
          fetch(`${server.url}${path}`).then(async (response) => {
            expect(response.status, `${server.url}${path}`).toBe(200);
            return Buffer.from(await response.arrayBuffer());
          }),
        ]);
        return { root, signing };
      }),
    );
    expect(new Set(served.map(({ root }) => root)).size).toBe(1);
    for (const { signing } of served) expect(signing.equals(certificate.raw)).toBe(true);
    expect(certificate.verify(new X509Certificate(served[0]?.root as string).publicKey)).toBe(true);
  });

  it('serve on every replica each write one of them acknowledged before it was killed with kill -9 mid-write', async () => {
    const { servers } = await replicas(2);
    const [doomed, survivor] = servers as [ServerProcess, ServerProcess];
    const acknowledged = new Map<string, number | null>();
    let killed = false;
    // Four writers, one PATCH per customer; the replica is killed once half are acknowledged,
    // with the others in flight.
    const queue = [...partner.customers];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let customer = queue.shift(); customer !== undefined; customer = queue.shift()) {
          const answer = await patch(doomed, customer, `${acknowledged.size + 1}.25`).catch(() => undefined);
          if (answer?.status === 200) acknowledged.set(customer, amountOf(answer));
          if (!killed && acknowledged.size >= partner.customers.length / 2) {
            killed = true;
            process.kill(doomed.pid, 'SIGKILL');
          }
        }
      }),
    );
    expect(await doomed.exited).toBe('SIGKILL');
    expect(acknowledged.size).toBeGreaterThanOrEqual(partner.customers.length / 2);
    for (const [customer, amount] of acknowledged) {
      const read = await sendRaw(survivor.url, { path: budgetPath(customer), headers: jsonHeaders(token) });
      expect(amountOf(read), customer).toBe(amount);
    }
  });
});
