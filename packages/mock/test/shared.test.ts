import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError, UsageBudgetClient } from '@usagebudget/client';
import { isRunning, randomPartner, type ServerProcess, startServerProcess } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockAdminError, type Seed, type SharedMock, startMock } from '../src/index.js';
import { startMockBin } from './support/mock-bin.js';

// The shared mode against a real reference server process with its admin API on: each CI job a
// namespace of its own, jobs at the same time isolated, the namespace deleted when the job stops.

const ADMIN_TOKEN = `admin-${randomUUID()}`;
const configPartner = randomPartner('The server’s own partner', 1);
const customer = randomUUID();
// Both jobs seed the same customer id: the usual case, CI jobs sharing fixtures.
const seed: Seed = {
  partners: [{ id: randomUUID(), name: 'CI job', tokens: ['ignored'], customers: [{ id: customer, budget: 80 }] }],
};
let server: ServerProcess;
const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-shared-mock-test-'));

beforeAll(async () => {
  server = await startServerProcess({
    config: { partners: [configPartner] },
    db: ':memory:',
    args: ['--no-access-log'],
    env: { ...process.env, USAGEBUDGET_ADMIN_TOKEN: ADMIN_TOKEN },
  });
});
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const clientOf = (mock: { url: string; token: string }) =>
  new UsageBudgetClient({ baseURL: mock.url, credential: mock.token, maxRetries: 0 });
const budgetOf = async (mock: SharedMock, id = customer) => (await clientOf(mock).getBudget(id)).amount;

describe('startMock({ shared })', () => {
  it('gives each job a namespace of its own on the shared server: same customer ids, nothing seen of the other, deleted by close()', async () => {
    const [first, second] = await Promise.all([
      startMock({ shared: { url: server.url, adminToken: ADMIN_TOKEN }, seed }),
      startMock({ shared: { url: `${server.url}/`, adminToken: ADMIN_TOKEN, ttlSeconds: 600 }, seed }),
    ]);
    try {
      expect(first.mode).toBe('shared');
      expect(first.url).toBe(server.url);
      expect(first.customers).toEqual([customer]);
      expect(second.customers).toEqual([customer]);
      expect(first.partner.id).not.toBe(second.partner.id);
      expect(first.partner.id).not.toBe(seed.partners[0]?.id);
      expect(first.token).not.toBe('ignored');
      expect(Date.parse(second.namespace.expiresAt) - Date.now()).toBeGreaterThan(590_000);

      await clientOf(first).setBudget(customer, 500);
      expect(await budgetOf(first)).toBe(500);
      expect(await budgetOf(second)).toBe(80);
      // The server's own partner's customers are no namespace's.
      await expect(clientOf(first).getBudget(configPartner.customers[0] as string)).rejects.toBeInstanceOf(
        NotFoundError,
      );

      await first.admin.reset();
      expect(await budgetOf(first)).toBe(80);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
    const afterClose = await fetch(`${server.url}/v1/customers`, {
      headers: { Authorization: `Bearer ${first.token}` },
    });
    expect(afterClose.status).toBe(401);
    const described = await fetch(`${server.url}/_admin/namespaces/${first.namespace.id}`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(described.status).toBe(404);
    await first.close();
  });

  it('reads the admin token from USAGEBUDGET_ADMIN_TOKEN, and names what is wrong when it cannot make the namespace', async () => {
    const saved = process.env.USAGEBUDGET_ADMIN_TOKEN;
    try {
      delete process.env.USAGEBUDGET_ADMIN_TOKEN;
      await expect(startMock({ shared: { url: server.url }, seed })).rejects.toThrow('USAGEBUDGET_ADMIN_TOKEN');
      process.env.USAGEBUDGET_ADMIN_TOKEN = 'not-the-admin-token';
      const refused = await startMock({ shared: { url: server.url }, seed }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(MockAdminError);
      expect(refused).toMatchObject({ status: 401, code: 'AdminTokenInvalid' });
      process.env.USAGEBUDGET_ADMIN_TOKEN = ADMIN_TOKEN;
      const mock = await startMock({ shared: { url: server.url } });
      try {
        expect(mock.customers).toHaveLength(240);
      } finally {
        await mock.close();
      }
    } finally {
      if (saved === undefined) delete process.env.USAGEBUDGET_ADMIN_TOKEN;
      else process.env.USAGEBUDGET_ADMIN_TOKEN = saved;
    }
    const shared = { url: server.url, adminToken: ADMIN_TOKEN };
    const badSeed = await startMock({
      shared,
      seed: { partners: [{ id: randomUUID(), name: 'x', tokens: [], customers: ['not-a-guid'] }] },
    }).catch((error: unknown) => error);
    expect(badSeed).toMatchObject({
      status: 400,
      code: 'InvalidNamespace',
      data: [expect.stringMatching(/^customers\[0\]/)],
    });
    await expect(startMock({ shared, seed: { partners: [] } })).rejects.toThrow('exactly one partner');
    await expect(startMock({ shared, port: 4010 } as never)).rejects.toThrow('port needs a mock of its own');
  });
});

describe('usagebudget-mock --shared', () => {
  it('prints the namespace and its tokens, serves from the shared server, and deletes the namespace when stopped', async () => {
    const seedFile = join(scratch, 'seed.json');
    writeFileSync(seedFile, JSON.stringify(seed));
    const bin = await startMockBin(['--shared', server.url, '--ttl', '300', '--seed', seedFile], {
      ...process.env,
      USAGEBUDGET_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    let summary: { mode: string; namespace: string; token: string; customers: string[] } | undefined;
    try {
      expect(bin.url).toBe(server.url);
      for (let waited = 0; !summary && waited < 200; waited++) {
        const line = bin.stdout().split('\n')[1];
        if (line) summary = JSON.parse(line) as typeof summary;
        else await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(summary).toMatchObject({ mode: 'shared', customers: [customer] });
      // It stays up until it is stopped: the namespace is the job's until then.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(isRunning(bin.pid)).toBe(true);
      const listed = await fetch(`${server.url}/v1/customers`, {
        headers: { Authorization: `Bearer ${summary?.token}` },
      });
      expect(listed.status).toBe(200);
    } finally {
      expect(await bin.stop()).toBe(0);
    }
    const after = await fetch(`${server.url}/_admin/namespaces/${summary?.namespace}`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(after.status).toBe(404);
  });
});
