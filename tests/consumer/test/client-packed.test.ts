// The client as another team gets it: its tarball and the spec package's (the validation
// subpath's optional peer dependency) installed with npm into a folder outside the workspace;
// scripts that use every entry from ESM and CommonJS against a scripted server, and a usage
// snippet type-checked under TS strict.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runToEnd } from '@usagebudget/server/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { packAndInstall, typeCheckStrict } from '../src/packed-install.js';
import { budgetOf, startScriptedServer } from '../src/scripted-server.js';

const project = mkdtempSync(join(tmpdir(), 'usagebudget-client-consumer-'));
const TENANT = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';
const OTHER = '45c44870-ef77-4fdd-b6fe-3dacb075cff2';
let server: Awaited<ReturnType<typeof startScriptedServer>>;

/** Runs `script` (written to `file` in the project) with the server's URL; what it printed, parsed. */
async function run(file: string, script: string): Promise<unknown> {
  writeFileSync(join(project, file), script);
  const done = await runToEnd(process.execPath, [file], {
    cwd: project,
    env: { ...process.env, BASE_URL: server.url },
    timeoutMs: 60_000,
  });
  expect(done.stderr, file).toBe('');
  expect(done.code, file).toBe(0);
  return JSON.parse(done.stdout);
}

/** The lines that load `names` from `entry` in ESM (`import`) or CommonJS (`require`). */
const load = (format: 'import' | 'require', names: string, entry: string) =>
  format === 'import' ? `import { ${names} } from '${entry}';` : `const { ${names} } = require('${entry}');`;
const file = (format: 'import' | 'require', name: string) => `${name}.${format === 'import' ? 'mjs' : 'cjs'}`;
const FORMATS = ['import', 'require'] as const;

beforeAll(async () => {
  server = await startScriptedServer();
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'client-consumer', private: true }));
  // @types/node for the webhooks subpath's snippet alone (it is for Node.js).
  await packAndInstall(['@usagebudget/openapi', '@usagebudget/client'], project, ['@types/node@^20']);
});

beforeEach(() => {
  server.requests.length = 0;
});

afterAll(async () => {
  await server?.close();
  rmSync(project, { recursive: true, force: true });
});

describe('the packed client, installed with npm', () => {
  it.each(FORMATS)('gets a budget through %s', async (format) => {
    server.answer({ status: 200, json: budgetOf(TENANT, 42.5) });
    const printed = await run(
      file(format, 'get'),
      `${load(format, 'UsageBudgetClient, NotFoundError', '@usagebudget/client')}
new UsageBudgetClient({ baseURL: process.env.BASE_URL, credential: 'packed-token' })
  .getBudget('${TENANT}')
  .then((budget) => console.log(JSON.stringify({ budget, errors: typeof NotFoundError })));`,
    );
    expect(printed).toEqual({ budget: budgetOf(TENANT, 42.5), errors: 'function' });
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer packed-token');
  });

  it.each(FORMATS)('applies a budget through the bulk subpath by %s', async (format) => {
    server.answer({ status: 200, json: budgetOf(TENANT, 42.5) });
    const [[outcome, requestId] = []] = (await run(
      file(format, 'bulk'),
      `${load(format, 'applyBudgets', '@usagebudget/client/bulk')}
${load(format, 'UsageBudgetClient', '@usagebudget/client')}
const client = new UsageBudgetClient({ baseURL: process.env.BASE_URL, credential: 'packed-token' });
(async () => {
  const outcomes = [];
  for await (const result of applyBudgets(client, [{ customerTenantId: '${TENANT}', amount: '42.50' }])) {
    outcomes.push([result.outcome, result.requestId]);
  }
  console.log(JSON.stringify(outcomes));
})();`,
    )) as [string, string][];
    expect(outcome).toBe('changed');
    expect(server.requests.at(-1)?.headers['ms-requestid']).toBe(requestId);
  });

  // Issue 21's bug: each CommonJS subpath carried its own copies of the error classes, so an error
  // the bulk operations made or passed on was no PartnerCenterError of the main entry.
  it.each(FORMATS)("gives the bulk subpath's errors the main entry's classes, by %s", async (format) => {
    server.answer(
      { status: 404, json: { code: 600026, description: 'Customer not found' } },
      { status: 403, json: { code: 'TokenKindNotAccepted', description: 'app+user only' } },
      { status: 200, json: budgetOf(OTHER, 7) },
    );
    const printed = await run(
      file(format, 'classes'),
      `${load(format, 'applyBudgets, readBudgets', '@usagebudget/client/bulk')}
${load(format, 'UsageBudgetClient, PartnerCenterError, ValidationError, NotFoundError', '@usagebudget/client')}
const client = new UsageBudgetClient({ baseURL: process.env.BASE_URL, credential: 'packed-token', maxRetries: 0 });
(async () => {
  const errors = [];
  for await (const { error } of applyBudgets(client, [{ customerTenantId: 'not-a-guid', amount: '1' }, { customerTenantId: '${TENANT}', amount: '1' }], { concurrency: 1 })) {
    errors.push([error.name, error instanceof PartnerCenterError, error instanceof ValidationError || error instanceof NotFoundError]);
  }
  // A 403 to the usage records (an app-only token): the budget is read on its own instead.
  const budgets = await readBudgets(client, ['${OTHER}'], { concurrency: 1 });
  console.log(JSON.stringify({ errors, budgets: [...budgets] }));
})();`,
    );
    expect(printed).toEqual({
      errors: [
        ['ValidationError', true, true],
        ['NotFoundError', true, true],
      ],
      budgets: [[OTHER, 7]],
    });
  });

  it.each(FORMATS)(
    'refuses a budget of the wrong type through the validation subpath by %s, the spec package beside it',
    async (format) => {
      server.answer({ status: 200, json: { ...budgetOf(TENANT, 1), amount: 'lots' } });
      const printed = await run(
        file(format, 'validate'),
        `${load(format, 'UsageBudgetClient, ResponseValidationError', '@usagebudget/client')}
${load(format, 'specResponseValidator', '@usagebudget/client/validation')}
const client = new UsageBudgetClient({ baseURL: process.env.BASE_URL, credential: 'packed-token', validateResponses: specResponseValidator() });
client.getBudget('${TENANT}').then(
  () => console.log('"accepted"'),
  (error) => console.log(JSON.stringify({ validation: error instanceof ResponseValidationError, problems: error.problems })),
);`,
      );
      expect(printed).toEqual({ validation: true, problems: [{ pointer: '/amount', rule: 'must be number' }] });
    },
  );

  it.each(FORMATS)(
    'refuses an untrusted delivery and resolves a budget alert through the webhooks subpath by %s',
    async (format) => {
      const record = (resourceId: string, totalCost: number, amount: number) => ({
        resourceId,
        resourceName: resourceId.slice(0, 8),
        totalCost,
        percentUsed: (100 * totalCost) / amount,
        budget: { amount },
        isUpgraded: true,
        lastModifiedDate: '2026-12-01T00:00:00Z',
        attributes: { objectType: 'CustomerMonthlyUsageRecord' },
      });
      server.answer({
        status: 200,
        json: {
          totalCount: 2,
          items: [record(TENANT, 120, 100), record(OTHER, 100, 100)],
          attributes: { objectType: 'Collection' },
        },
      });
      const printed = await run(
        file(format, 'webhooks'),
        `${load(format, 'verifyWebhookEvent, WebhookVerificationError, resolveThresholdExceeded, webhookHandler', '@usagebudget/client/webhooks')}
${load(format, 'UsageBudgetClient', '@usagebudget/client')}
const client = new UsageBudgetClient({ baseURL: process.env.BASE_URL, credential: 'packed-token' });
const headers = {
  authorization: 'Signature AAAA',
  'x-ms-certificate-url': process.env.BASE_URL + '/cert/signing.cer',
  'x-ms-signature-algorithm': 'rsa-sha256',
};
(async () => {
  const refusal = await verifyWebhookEvent({ body: '{}', headers }).catch((error) => error);
  const event = { EventName: 'usagerecords-thresholdExceeded', ResourceUri: 'https://api.partnercenter.microsoft.com/v1/customers/usagerecords', ResourceName: 'usagerecords', ResourceChangeUtcDate: '2026-12-06T00:00:00Z' };
  const over = await resolveThresholdExceeded(client, event);
  console.log(JSON.stringify({
    error: refusal instanceof WebhookVerificationError && refusal instanceof Error,
    reason: refusal.reason,
    handler: typeof webhookHandler({}, () => undefined),
    over: over.map(({ customerTenantId, totalCost, budget }) => [customerTenantId, totalCost, budget]),
  }));
})();`,
      );
      expect(printed).toEqual({
        error: true,
        reason: 'untrusted-certificate-url',
        handler: 'function',
        over: [[TENANT, '120', 100]],
      });
      // The certificate URL was refused before any fetch: the only request is the usage records'.
      expect(server.requests.map(({ url }) => url)).toEqual(['/v1/customers/usagerecords']);
    },
  );

  it('type-checks a usage snippet under TS strict, from ESM and CJS', async () => {
    const names =
      'UsageBudgetClient, clouds, clientDefaults, PartnerCenterError, RateLimitError, type SpendingBudget, type TokenProvider, ' +
      'type CustomerUsageSummary, type CustomerMonthlyUsageRecord, type Decimal';
    writeFileSync(join(project, 'usage.mts'), usageSnippet(`import { ${names} } from '@usagebudget/client';`));
    writeFileSync(join(project, 'usage.cts'), usageSnippet(`import { ${names} } from '@usagebudget/client';`));
    expect(await typeCheckStrict(project, ['usage.mts', 'usage.cts'], [])).toBe('');
  });

  it("type-checks the webhooks subpath's snippet under TS strict with Node's types, from ESM and CJS", async () => {
    writeFileSync(join(project, 'webhooks.mts'), webhooksSnippet());
    writeFileSync(join(project, 'webhooks.cts'), webhooksSnippet());
    expect(await typeCheckStrict(project, ['webhooks.mts', 'webhooks.cts'], ['node'])).toBe('');
  });
});

function usageSnippet(importLine: string): string {
  return `${importLine}
import { AdaptiveThrottle, applyBudgets, type BudgetResult, bulkDefaults, readBudgets } from '@usagebudget/client/bulk';

const provider: TokenProvider = async ({ forceRefresh }) => (forceRefresh ? 'fresh' : 'cached');
const client = new UsageBudgetClient({ cloud: 'usgov', credential: provider, maxRetries: 2 });
const scope: string = clouds.usgov.scope;
const timeoutMs: number = clientDefaults.timeoutMs + bulkDefaults.maxConcurrency;

export async function show(id: string): Promise<number | null | undefined> {
  const { data, response } = await client.setBudget(id, 10, { correlationId: id }).withResponse();
  const requestId: string = response.requestId;
  const status: number = response.status;
  try {
    const budget: SpendingBudget = await client.getBudget(id);
    return budget.amount;
  } catch (error) {
    if (error instanceof RateLimitError) return error.retryAfterMs;
    if (error instanceof PartnerCenterError) return error.status;
    throw error;
  } finally {
    void [data, requestId, status, scope, timeoutMs];
  }
}

export async function usage(): Promise<string[]> {
  const seen: string[] = [];
  const filter = { Field: 'CompanyName', Value: 'Cont', Operator: 'starts_with' } as const;
  for await (const customer of client.listCustomers({ size: 100, filter })) seen.push(customer.companyProfile.companyName);
  for await (const page of client.listCustomers().byPage({ continuationToken: 'token' })) {
    seen.push(page.continuationToken ?? 'last', page.response.requestId, ...page.items.map(({ id }) => id));
  }
  const summary: CustomerUsageSummary = await client.getCustomerUsageSummary('id');
  const cost: Decimal = summary.totalCost;
  const records: CustomerMonthlyUsageRecord[] = await client.listCustomerUsageRecords({ correlationId: 'id' });
  const percent: number = records[0]?.percentUsed ?? 0;
  // @ts-expect-error a cost is an exact decimal string, not a number
  const rounded: number = summary.totalCost;
  return [...seen, cost, String(percent), String(rounded)];
}

export async function bulk(ids: string[]): Promise<string[]> {
  const throttle = new AdaptiveThrottle();
  const current = await readBudgets(client, ids, { throttle });
  const run = applyBudgets(client, ids.map((customerTenantId) => ({ customerTenantId, amount: '10.50', current: current.get(customerTenantId) })), { throttle, concurrency: 4 });
  const outcomes: string[] = [run.runId];
  for await (const result of run) {
    const done: BudgetResult = result;
    outcomes.push(done.outcome, done.requestId ?? '', String(done.budget?.amount));
  }
  return outcomes;
}

// @ts-expect-error an entry's amount is a decimal string, a number or null
applyBudgets(client, [{ customerTenantId: 'id', amount: true }]);
// @ts-expect-error the filter has no field of that name
client.listCustomers({ filter: { Field: 'Name', Value: 'x', Operator: 'starts_with' } });
// @ts-expect-error the amount is a number, not a string
client.setBudget('id', '10');
// @ts-expect-error there is no cloud of that name
new UsageBudgetClient({ cloud: 'mars', credential: 't' });
// @ts-expect-error getBudget's data has no such property
client.getBudget('id').then((budget) => budget.currency);
`;
}

function webhooksSnippet(): string {
  return `import { createServer } from 'node:http';
import { UsageBudgetClient } from '@usagebudget/client';
import {
  createWebhookVerifier,
  webhookHandler,
  type OverBudgetCustomer,
  resolveThresholdExceeded,
  type WebhookEvent,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from '@usagebudget/client/webhooks';

const client = new UsageBudgetClient({ credential: 'token' });
createServer(webhookHandler({ maxBodyBytes: 1024 }, async (event: WebhookEvent) => event.EventName)).listen(0);

export async function receive(body: Uint8Array, headers: Record<string, string | string[] | undefined>): Promise<string> {
  const verifier = createWebhookVerifier({ trust: { roots: ['PEM'], certificateHosts: ['127.0.0.1:4010'], allowHttp: true } });
  try {
    const event: WebhookEvent = await verifier.verify({ body, headers });
    const over: OverBudgetCustomer[] = await resolveThresholdExceeded(client, event);
    const registration = await client.createWebhookRegistration({ webhookUrl: 'https://example.com/events', webhookEvents: [event.EventName] });
    return over.map(({ customerTenantId, totalCost }) => customerTenantId + totalCost).join() + registration.webhookUrl;
  } catch (error) {
    const reason: WebhookVerificationReason | undefined = error instanceof WebhookVerificationError ? error.reason : undefined;
    return reason ?? 'other';
  }
}

// @ts-expect-error a registration lists its events
client.createWebhookRegistration({ webhookUrl: 'https://example.com/events' });
`;
}
