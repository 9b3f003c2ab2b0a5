// The "done when" check: the packed tarball, installed into a fresh project, works from ESM and
// CJS, type-checks a usage snippet under TS strict, and gets a budget from a local server.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budget, type FaultServer, startFaultServer, TENANT } from './fault-server.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const specPackageDir = fileURLToPath(new URL('../../../openapi', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const consumer = mkdtempSync(join(tmpdir(), 'usagebudget-consumer-'));
let server: FaultServer;

const usage = (importLine: string) => `${importLine}
import { AdaptiveThrottle, applyBudgets, type BudgetResult, readBudgets } from '@usagebudget/client/bulk';

const provider: TokenProvider = async ({ forceRefresh }) => (forceRefresh ? 'fresh' : 'cached');
const client = new UsageBudgetClient({ cloud: 'usgov', credential: provider, maxRetries: 2 });
const scope: string = clouds.usgov.scope;

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
    void [data, requestId, status, scope];
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
  const run = applyBudgets(client, ids.map((customerId) => ({ customerId, amount: '10.50', current: current.get(customerId) })), { throttle, concurrency: 4 });
  const outcomes: string[] = [run.runId];
  for await (const result of run) {
    const done: BudgetResult = result;
    outcomes.push(done.outcome, done.requestId ?? '', String(done.budget?.amount));
  }
  return outcomes;
}

// @ts-expect-error an entry's amount is a decimal string, a number or null
applyBudgets(client, [{ customerId: 'id', amount: true }]);
// @ts-expect-error the filter has no field of that name
client.listCustomers({ filter: { Field: 'Name', Value: 'x', Operator: 'starts_with' } });
// @ts-expect-error the amount is a number, not a string
client.setBudget('id', '10');
// @ts-expect-error there is no cloud of that name
new UsageBudgetClient({ cloud: 'mars', credential: 't' });
// @ts-expect-error getBudget's data has no such property
client.getBudget('id').then((budget) => budget.currency);
`;

beforeAll(async () => {
  server = await startFaultServer();
  const { stdout } = await run('pnpm', ['pack', '--pack-destination', consumer], { cwd: packageDir });
  const tarball = readdirSync(consumer).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack wrote no tarball:\n${stdout}`);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  await run('npm', ['install', `./${tarball}`, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: consumer });
}, 180_000);

afterAll(async () => {
  await server?.close();
  rmSync(consumer, { recursive: true, force: true });
});

it.each([
  ['import', 'esm.mjs', `import { UsageBudgetClient, NotFoundError } from '@usagebudget/client';`],
  ['require', 'cjs.cjs', `const { UsageBudgetClient, NotFoundError } = require('@usagebudget/client');`],
])('gets a budget through %s', async (_, file, importLine) => {
  writeFileSync(
    join(consumer, file),
    `${importLine}
new UsageBudgetClient({ baseURL: process.env.BASE_URL, credential: 'packed-token' })
  .getBudget('${TENANT}')
  .then((budget) => console.log(JSON.stringify({ budget, errors: typeof NotFoundError })));`,
  );
  server.enqueue({ status: 200, json: budget(42.5) });
  const { stdout } = await run(process.execPath, [file], {
    cwd: consumer,
    env: { ...process.env, BASE_URL: server.url },
  });
  expect(JSON.parse(stdout)).toEqual({ budget: budget(42.5), errors: 'function' });
  expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer packed-token');
});

it.each([
  [
    'import',
    'bulk-esm.mjs',
    `import { applyBudgets } from '@usagebudget/client/bulk';
import { UsageBudgetClient } from '@usagebudget/client';`,
  ],
  [
    'require',
    'bulk-cjs.cjs',
    `const { applyBudgets } = require('@usagebudget/client/bulk');
const { UsageBudgetClient } = require('@usagebudget/client');`,
  ],
])('applies a budget through the bulk subpath by %s', async (_, file, importLines) => {
  writeFileSync(
    join(consumer, file),
    `${importLines}
const client = new UsageBudgetClient({ baseURL: process.env.BASE_URL, credential: 'packed-token' });
(async () => {
  const outcomes = [];
  for await (const result of applyBudgets(client, [{ customerId: '${TENANT}', amount: '42.50' }])) {
    outcomes.push([result.outcome, result.requestId]);
  }
  console.log(JSON.stringify(outcomes));
})();`,
  );
  server.enqueue({ status: 200, json: budget(42.5) });
  const { stdout } = await run(process.execPath, [file], {
    cwd: consumer,
    env: { ...process.env, BASE_URL: server.url },
  });
  const [[outcome, requestId] = []] = JSON.parse(stdout) as [string, string][];
  expect(outcome).toBe('changed');
  expect(server.requests.at(-1)?.headers['ms-requestid']).toBe(requestId);
});

it('type-checks a usage snippet under TS strict, from ESM and CJS', async () => {
  const names =
    'UsageBudgetClient, clouds, PartnerCenterError, RateLimitError, type SpendingBudget, type TokenProvider, ' +
    'type CustomerUsageSummary, type CustomerMonthlyUsageRecord, type Decimal';
  writeFileSync(join(consumer, 'usage.mts'), usage(`import { ${names} } from '@usagebudget/client';`));
  writeFileSync(join(consumer, 'usage.cts'), usage(`import { ${names} } from '@usagebudget/client';`));
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: [],
        skipLibCheck: false,
      },
      files: ['usage.mts', 'usage.cts'],
    }),
  );
  const result = await run(process.execPath, [tsc, '-p', consumer]).catch((error: { stdout: string }) => error);
  expect(result.stdout).toBe('');
});

// The validation subpath loads the spec package, an optional peer dependency: a project installs
// both tarballs, as another team would install both packages.
describe('the validation subpath, with @usagebudget/openapi installed beside the client', () => {
  const project = mkdtempSync(join(tmpdir(), 'usagebudget-validating-'));

  beforeAll(async () => {
    for (const dir of [packageDir, specPackageDir])
      await run('pnpm', ['pack', '--pack-destination', project], { cwd: dir });
    const tarballs = readdirSync(project).filter((name) => name.endsWith('.tgz'));
    expect(tarballs).toHaveLength(2);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'validating', private: true }));
    await run(
      'npm',
      ['install', ...tarballs.map((name) => `./${name}`), '--no-audit', '--no-fund', '--loglevel=error'],
      {
        cwd: project,
      },
    );
  }, 180_000);

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it.each([
    [
      'import',
      'validate-esm.mjs',
      `import { UsageBudgetClient, ResponseValidationError } from '@usagebudget/client';
import { specResponseValidator } from '@usagebudget/client/validation';`,
    ],
    [
      'require',
      'validate-cjs.cjs',
      `const { UsageBudgetClient, ResponseValidationError } = require('@usagebudget/client');
const { specResponseValidator } = require('@usagebudget/client/validation');`,
    ],
  ])('refuses a budget of the wrong type through %s', async (_, file, importLines) => {
    writeFileSync(
      join(project, file),
      `${importLines}
const client = new UsageBudgetClient({ baseURL: process.env.BASE_URL, credential: 'packed-token', validateResponses: specResponseValidator() });
client.getBudget('${TENANT}').then(
  () => console.log('accepted'),
  (error) => console.log(JSON.stringify({ validation: error instanceof ResponseValidationError, problems: error.problems })),
);`,
    );
    server.enqueue({ status: 200, json: { ...budget(1), amount: 'lots' } });
    const { stdout } = await run(process.execPath, [file], {
      cwd: project,
      env: { ...process.env, BASE_URL: server.url },
    });
    expect(JSON.parse(stdout)).toEqual({
      validation: true,
      problems: [{ pointer: '/amount', rule: 'must be number' }],
    });
  });
});
