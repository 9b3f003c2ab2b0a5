import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError, ServerError, UsageBudgetClient } from '@usagebudget/client';
import { spec } from '@usagebudget/openapi';
import { specOperations } from '@usagebudget/openapi/operations';
import { demoPartner, isRunning, portIsFree, randomPartner, startProcess } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_ADMIN_HEADERS, MockAdminError, type Seed, type StatefulMock, startMock } from '../src/index.js';
import { testControlsSpec } from '../src/test-controls/admin-spec.js';
import { firstExample, requestOf } from './support/test-controls.js';

const partner = randomPartner('Seeded partner', 2);
const [customer, other] = partner.customers as [string, string];
// 96.4 of a budget of 80 is over budget; the other customer has no budget and no cost yet.
const seed: Seed = {
  partners: [
    { ...partner, customers: [{ id: customer, currency: 'EUR', cost: '96.40000000000000000001', budget: 80 }, other] },
  ],
};
const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-mock-test-'));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

const clientOf = (mock: { url: string; token: string }, maxRetries = 0) =>
  new UsageBudgetClient({ baseURL: mock.url, credential: mock.token, maxRetries, backoff: { initialDelayMs: 1 } });
const portOf = (url: string) => Number(new URL(url).port);

/** Whether the port is free within a few seconds: a killed process's socket goes with the process, a moment later. */
async function eventuallyFree(port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await portIsFree(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the stateful mock', () => {
  let mock: StatefulMock;
  beforeAll(async () => {
    mock = await startMock({ seed });
  });
  afterAll(() => mock.close());

  it('gives its URL, a ready token, the partner and its customers', () => {
    expect(mock.mode).toBe('stateful');
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mock.token).toBe(partner.tokens[0]);
    expect(mock.partner).toEqual({ id: partner.id, name: partner.name });
    expect(mock.customers).toEqual([customer, other]);
    expect(mock.admin.url).toBe(`${mock.url}/_mock`);
  });

  it('serves the seed, keeps a PATCH for the next GET, and forgets it on reset', async () => {
    const client = clientOf(mock);
    expect((await client.getBudget(customer)).amount).toBe(80);
    await client.setBudget(other, 12.34);
    expect((await client.getBudget(other)).amount).toBe(12.34);
    await mock.admin.reset();
    expect((await client.getBudget(other)).amount).toBeNull();
    await expect(client.getBudget(randomUUID())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists the seeded customers, page by page', async () => {
    await mock.admin.reset();
    const listed: string[] = [];
    for await (const found of clientOf(mock).listCustomers({ size: 1 })) listed.push(found.id);
    expect(listed).toEqual([customer, other]);
  });

  it("serves a customer's usage summary from the seed, every digit of its cost", async () => {
    await mock.admin.reset();
    const summary = await clientOf(mock).getCustomerUsageSummary(customer);
    expect(summary).toMatchObject({
      totalCost: '96.40000000000000000001',
      currencyCode: 'EUR',
      budget: { amount: 80 },
    });
  });

  it('derives the next usage record from a PATCH', async () => {
    await mock.admin.reset();
    const client = clientOf(mock);
    const percentOf = async (id: string) =>
      (await client.listCustomerUsageRecords()).find((record) => record.resourceId === id)?.percentUsed;
    expect(await percentOf(customer)).toBe(120.5);
    await client.setBudget(customer, 200);
    expect(await percentOf(customer)).toBe(48.2);
  });

  it("counts the partner's customers over budget from the current budgets, and a reset puts the seed's back", async () => {
    await mock.admin.reset();
    const client = clientOf(mock);
    await client.setBudget(customer, 200);
    expect(await client.getPartnerUsageSummary()).toMatchObject({ customersOverBudget: 0 });
    await mock.admin.reset();
    expect(await client.getPartnerUsageSummary()).toMatchObject({ customersOverBudget: 1 });
  });

  it('fails as its fault rules say, and journals what the client sent', async () => {
    await mock.admin.reset();
    const client = clientOf(mock, 3);
    await mock.admin.addFault({ operationId: 'getUsageBudget', status: 503, retryAfter: 0, times: 2 });
    const { data, response } = await client.getBudget(customer).withResponse();
    expect([data.amount, response.attempts]).toEqual([80, 3]);
    const entries = await mock.admin.journal({ operationId: 'getUsageBudget' });
    expect(entries.map((entry) => entry.status)).toEqual([503, 503, 200]);
    expect(new Set(entries.map((entry) => entry.headers['ms-requestid']))).toEqual(new Set([response.requestId]));
    expect(entries[0]?.headers.authorization).toBe('Bearer [redacted]');
  });

  it('fails on every matching request under a rule without times, until the rules are cleared', async () => {
    await mock.admin.reset();
    const client = clientOf(mock, 3);
    await mock.admin.addFault({ status: 500 });
    await expect(clientOf(mock, 1).getBudget(customer)).rejects.toBeInstanceOf(ServerError);
    expect((await mock.admin.faults())[0]).toMatchObject({ rule: { status: 500 }, matched: 2, remaining: null });
    await mock.admin.clearFaults();
    expect((await client.getBudget(customer)).amount).toBe(80);
  });

  it('sends the header the controls require, and the controls refuse what a web page could send', async () => {
    // The header the controls' own document names in its security scheme.
    const scheme = testControlsSpec.components?.securitySchemes?.mockControlHeader as { name: string };
    expect(MOCK_ADMIN_HEADERS).toEqual({ [scheme.name]: '1' });
    expect(MOCK_ADMIN_HEADERS).toEqual({ 'X-Usagebudget-Mock': '1' });
    const reset = (headers: Record<string, string>) =>
      fetch(`${mock.admin.url}/reset`, { method: 'POST', headers, body: 'x' });
    expect((await reset({ 'Content-Type': 'text/plain' })).status).toBe(403);
    expect((await reset({ ...MOCK_ADMIN_HEADERS, 'Content-Type': 'text/plain' })).status).toBe(415);
    await expect(mock.admin.reset()).resolves.toBeUndefined();
  });

  it('answers its controls at the host names it is told to allow', async () => {
    const named = await startMock({ seed, allowedHosts: ['mock'] });
    try {
      const port = portOf(named.url);
      const resetAt = (host: string) =>
        new Promise<number>((resolve, reject) => {
          request(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: '/_mock/reset',
              headers: { ...MOCK_ADMIN_HEADERS, Host: host },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          )
            .on('error', reject)
            .end();
        });
      expect(await resetAt(`mock:${port}`)).toBe(204);
      expect(await resetAt(`rebound.example:${port}`)).toBe(421);
    } finally {
      await named.close();
    }
  });

  it('refuses a bad rule with a MockAdminError naming the field', async () => {
    const refused = await mock.admin.addFault({ operationId: 'nope', status: 503 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MockAdminError);
    expect(refused).toMatchObject({ status: 400, code: 'InvalidFaultRule', data: ['operationId'] });
    expect((refused as Error).message).toContain('"nope" is not an operation of the spec');
    await expect(mock.admin.removeFault('999')).rejects.toMatchObject({ status: 404 });
  });

  it('takes a new seed, and refuses a bad one listing every problem', async () => {
    const newcomer = randomPartner('Newcomer');
    await mock.admin.seed({ partners: [newcomer] });
    expect(await mock.admin.currentSeed()).toEqual({ partners: [newcomer] });
    await expect(clientOf(mock).getBudget(customer)).rejects.toMatchObject({ status: 401 });
    const refused = mock.admin.seed({ partners: [{ ...newcomer, customers: ['x', { id: other, cost: '-1' }] }] });
    await expect(refused).rejects.toMatchObject({
      code: 'InvalidSeed',
      data: [
        'partners[0].customers[0] must be a GUID',
        'partners[0].customers[1].cost must be a decimal string of at least 0, such as "28.82860766744404945074"',
      ],
    });
    await mock.admin.seed(seed);
    expect((await clientOf(mock).getBudget(customer)).amount).toBe(80);
  });

  it('ships the document of its test controls, the one it serves', async () => {
    const shipped = JSON.parse(readFileSync(new URL('../admin-openapi.json', import.meta.url), 'utf8'));
    expect(await (await fetch(`${mock.admin.url}/openapi.json`, { headers: MOCK_ADMIN_HEADERS })).json()).toEqual(
      shipped,
    );
  });
});

describe("the README's seed", () => {
  it('is a valid seed, served as written', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## The seed'), readme.indexOf('## Test controls'));
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)?.[1] ?? 'null') as Seed;
    const mock = await startMock({ seed: example });
    try {
      expect(mock.customers).toHaveLength(4 + 500);
      const client = clientOf(mock);
      expect(await client.getCustomerUsageSummary(mock.customers[0] as string)).toMatchObject({
        totalCost: '200.4',
        currencyCode: 'EUR',
        budget: { amount: 250.5 },
      });
      await expect(client.getCustomerUsageSummary(mock.customers[2] as string)).rejects.toMatchObject({
        code: 'NoUsageBasedSubscription',
      });
    } finally {
      await mock.close();
    }
  });
});

describe('startMock', () => {
  it('reads a seed file, and lets its port go on close()', async () => {
    const file = join(scratch, 'seed.json');
    writeFileSync(file, JSON.stringify(seed));
    const mock = await startMock({ seed: file, port: 0 });
    expect((await clientOf(mock).getBudget(customer)).amount).toBe(80);
    await Promise.all([mock.close(), mock.close()]);
    expect(await portIsFree(portOf(mock.url))).toBe(true);
  });

  it('defaults to the demo partner', async () => {
    const mock = await startMock();
    try {
      expect(mock.token).toBe(demoPartner.token);
      expect(mock.customers.slice(0, 2)).toEqual([...demoPartner.customers]);
      expect(mock.customers).toHaveLength(demoPartner.portfolioSize);
    } finally {
      await mock.close();
    }
  });

  it('refuses a seed file that breaks the spec, naming the file and every bad field', async () => {
    const file = join(scratch, 'bad-seed.json');
    writeFileSync(
      file,
      JSON.stringify({
        partners: [{ ...partner, customers: ['nope', { id: customer, budget: -5, currency: 'euro' }] }],
      }),
    );
    const refused = startMock({ seed: file });
    await expect(refused).rejects.toThrow(`${file}: 3 problems:`);
    await expect(refused).rejects.toMatchObject({
      problems: [
        'partners[0].customers[0] must be a GUID',
        'partners[0].customers[1].budget must be a number of at least 0, or null for no budget',
        'partners[0].customers[1].currency must be an ISO 4217 code such as EUR',
      ],
    });
    const notJson = join(scratch, 'not-json.json');
    writeFileSync(notJson, '{"partners": [');
    await expect(startMock({ seed: notJson })).rejects.toThrow(`${notJson}: not JSON`);
    await expect(startMock({ seed: join(scratch, 'missing.json') })).rejects.toThrow('ENOENT');
    await expect(startMock({ mode: 'dynamic' } as never)).rejects.toThrow(
      "mode must be 'stateful', 'static' or 'shared'",
    );
  });
});

describe('the static mock', () => {
  it("serves every operation's documented example through Prism (the webhook registration API's too), Prefer included, then lets its port go", async () => {
    const mock = await startMock({ mode: 'static' });
    try {
      expect(mock.mode).toBe('static');
      expect('admin' in mock).toBe(false);
      expect((await clientOf(mock).getBudget(mock.customers[0] as string)).amount).toBe(100);
      for (const operation of specOperations(spec)) {
        const path = operation.path.replace(/\{[^}]+\}/g, mock.customers[0] as string);
        // The last error status the operation documents: one a request would not provoke by itself.
        const status = Number(
          operation.responses
            .map((response) => response.status)
            .filter((key) => /^[45]\d\d$/.test(key))
            .at(-1),
        );
        // A valid body (the spec's request example): Prism answers an invalid one 400 or 422 first.
        const { body } = requestOf(operation, mock.customers[0] as string, mock.token);
        const response = await fetch(`${mock.url}${path}`, {
          method: operation.method.toUpperCase(),
          headers: {
            Authorization: `Bearer ${mock.token}`,
            Prefer: `code=${status}`,
            'Content-Type': 'application/json',
          },
          ...(body === undefined ? {} : { body: body as string }),
        });
        expect(response.status, operation.operationId).toBe(status);
      }
      // The webhook registration API answers its first success example to a valid request with
      // Authorization, its documented request body example included (Prism checks it).
      const webhookOperations = specOperations(spec).filter(({ path }) => path.startsWith('/webhooks/'));
      expect(webhookOperations.map(({ operationId }) => operationId).sort()).toEqual([
        'createWebhookRegistration',
        'createWebhookValidationEvent',
        'getWebhookRegistration',
        'getWebhookValidationEvent',
        'listWebhookEvents',
        'updateWebhookRegistration',
      ]);
      for (const operation of webhookOperations) {
        const request = requestOf(operation, mock.customers[0] as string, mock.token);
        const response = await fetch(`${mock.url}${request.path}`, {
          method: request.method ?? 'GET',
          headers: request.headers as Record<string, string>,
          ...(request.body === undefined ? {} : { body: request.body as string }),
        });
        const success = operation.responses.find(({ status }) => /^2\d\d$/.test(status));
        expect(response.status, operation.operationId).toBe(Number(success?.status));
        expect(await response.json(), operation.operationId).toEqual(firstExample(operation, Number(success?.status)));
      }
      const unauthorized = await fetch(`${mock.url}/webhooks/v1/registration`);
      expect(unauthorized.status).toBe(401);
    } finally {
      await mock.close();
    }
    expect(await portIsFree(portOf(mock.url))).toBe(true);
  });

  it('takes none of the stateful options', async () => {
    await expect(startMock({ mode: 'static', seed: 'seed.json' } as never)).rejects.toThrow(
      'seed needs the stateful mode',
    );
    await expect(startMock({ mode: 'static', journalMaxBytes: 1, accessLog: () => {} } as never)).rejects.toThrow(
      'accessLog, journalMaxBytes need the stateful mode',
    );
    await expect(startMock({ mode: 'static', allowedHosts: ['mock'] } as never)).rejects.toThrow(
      'allowedHosts needs the stateful mode',
    );
  });

  /** A process that starts a static mock with the built package, prints its URL, then runs `then`. */
  const staticMockUser = (then: string) =>
    startProcess({
      name: 'static mock user',
      command: process.execPath,
      args: [
        '--input-type=module',
        '-e',
        `import { startMock } from ${JSON.stringify(built)};
         const mock = await startMock({ mode: 'static' });
         console.log('mock ' + mock.url);
         ${then}`,
      ],
      ready: /^mock (http:\S+)$/,
      timeoutMs: 180_000,
    });

  it.each([
    ['exits without closing it', 'process.exit(0);'],
    ['is ended by SIGTERM', 'process.kill(process.pid, "SIGTERM");'],
  ])('leaves no Prism running when the process that started it %s', async (_, ending) => {
    const parent = await staticMockUser(`setTimeout(() => { ${ending} }, 10);`);
    await parent.exited;
    expect(await eventuallyFree(portOf(parent.ready[1] as string))).toBe(true);
  });

  it('leaves no Prism running when the process that started it is killed with SIGKILL', async () => {
    // No exit hook, no signal handler runs on SIGKILL: Prism must notice by itself.
    const parent = await staticMockUser('setInterval(() => {}, 1000);');
    const port = portOf(parent.ready[1] as string);
    // Prism is the parent's one child: known before the parent goes, to be cleaned up if it stays.
    const [prismPid] = readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    try {
      expect(prismPid).toBeGreaterThan(0);
      process.kill(parent.pid, 'SIGKILL');
      expect(await parent.exited).toBe('SIGKILL');
      for (let attempt = 0; isRunning(prismPid as number) && attempt < 600; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(isRunning(prismPid as number)).toBe(false);
      expect(await eventuallyFree(port)).toBe(true);
    } finally {
      if (prismPid && isRunning(prismPid)) process.kill(prismPid, 'SIGKILL');
    }
  });
});
