// The SDK and the mock as another team gets them: packed tarballs installed with npm into a folder
// outside the workspace, the bin run through npx, scripts that use the SDK against it, and the
// root README's GitHub Actions job run step by step.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, isRunning, LISTENING_LINE, portIsFree, runToEnd, startProcess } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  codeBlocks,
  packAndInstall,
  readmeSection,
  rootReadme,
  typeCheckStrict,
  workspaceRoot,
} from '../src/packed-install.js';

const project = mkdtempSync(join(tmpdir(), 'usagebudget-consumer-'));
const seedFile = join(workspaceRoot, 'examples', 'over-budget-alerts', 'test', 'mock-seed.json');
interface SeededCustomer {
  id: string;
  cost: string;
  budget: number;
}
const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as {
  partners: { tokens: string[]; customers: (string | SeededCustomer)[] }[];
};
const [partner] = seed.partners as [{ tokens: string[]; customers: (string | SeededCustomer)[] }];
// The example's first customer has a cost and a budget.
const [seeded] = partner.customers as [SeededCustomer];
const customer = seeded.id;

/** Mock processes this file started, by the pid each wrote: stopped after the tests whatever happened. */
const pidFiles = new Set<string>();

async function stopByPidFile(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  if (isRunning(pid)) process.kill(pid, 'SIGTERM');
  for (let attempt = 0; isRunning(pid) && attempt < 100; attempt++) await new Promise((r) => setTimeout(r, 50));
}

async function node(file: string, env: NodeJS.ProcessEnv = {}) {
  const done = await runToEnd(process.execPath, [file], {
    cwd: project,
    env: { ...process.env, ...env },
    timeoutMs: 240_000,
  });
  expect(done.stderr, file).toBe('');
  expect(done.code, file).toBe(0);
  return JSON.parse(done.stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, scripts: { test: 'node test/smoke.mjs' } }),
  );
  mkdirSync(join(project, 'test'));
  copyFileSync(seedFile, join(project, 'test', 'mock-seed.json'));
  copyFileSync(new URL('../fixture/test/smoke.mjs', import.meta.url), join(project, 'test', 'smoke.mjs'));
  await packAndInstall(
    ['@usagebudget/openapi', '@usagebudget/server', '@usagebudget/client', '@usagebudget/mock'],
    project,
    ['@types/node@^20', 'msw@^2'],
  );
});

afterAll(async () => {
  await Promise.all([...pidFiles].map(stopByPidFile));
  rmSync(project, { recursive: true, force: true });
});

describe('the packed packages, installed with npm', () => {
  it('run the bin through npx, and a script uses the SDK against it from ESM and CJS', async () => {
    const pidFile = join(project, 'npx-mock.pid');
    pidFiles.add(pidFile);
    const npx = await startProcess({
      name: 'npx usagebudget-mock',
      command: 'npx',
      args: ['--no-install', 'usagebudget-mock', '--port', '0', '--seed', 'test/mock-seed.json', '--pid-file', pidFile],
      cwd: project,
      ready: LISTENING_LINE,
      timeoutMs: 60_000,
    });
    const url = npx.ready[1] as string;
    try {
      writeFileSync(
        join(project, 'sdk-check.mjs'),
        `import { UsageBudgetClient, ServerError } from '@usagebudget/client';
import { connectMockAdmin } from '@usagebudget/mock';
const client = new UsageBudgetClient({ baseURL: process.env.BASE_URL, credential: process.env.TOKEN, maxRetries: 1, backoff: { initialDelayMs: 1 } });
const admin = connectMockAdmin(process.env.BASE_URL);
await admin.addFault({ operationId: 'getUsageBudget', status: 503, times: 1, retryAfter: 0 });
const { data, response } = await client.getBudget(process.env.CUSTOMER).withResponse();
const statuses = (await admin.journal({ operationId: 'getUsageBudget' })).map((entry) => entry.status);
const summary = await client.getCustomerUsageSummary(process.env.CUSTOMER);
console.log(JSON.stringify({ amount: data.amount, attempts: response.attempts, statuses, cost: summary.totalCost, errors: typeof ServerError }));`,
      );
      writeFileSync(
        join(project, 'sdk-check.cjs'),
        `const { UsageBudgetClient } = require('@usagebudget/client');
const { MOCK_ADMIN_PATH } = require('@usagebudget/mock');
const client = new UsageBudgetClient({ baseURL: process.env.BASE_URL, credential: process.env.TOKEN, maxRetries: 0 });
client.setBudget(process.env.CUSTOMER, 99.95)
  .then(() => client.getBudget(process.env.CUSTOMER))
  .then((budget) => console.log(JSON.stringify({ amount: budget.amount, adminPath: MOCK_ADMIN_PATH })));`,
      );
      const env = { BASE_URL: url, TOKEN: partner.tokens[0], CUSTOMER: customer };
      expect(await node('sdk-check.mjs', env)).toEqual({
        amount: seeded.budget,
        attempts: 2,
        statuses: [503, 200],
        cost: seeded.cost,
        errors: 'function',
      });
      expect(await node('sdk-check.cjs', env)).toEqual({ amount: 99.95, adminPath: '/_mock' });
    } finally {
      await stopByPidFile(pidFile);
      await npx.exited;
    }
    expect(existsSync(pidFile)).toBe(false);
    expect(await portIsFree(Number(new URL(url).port))).toBe(true);
  });

  it('start both modes from code, and leave nothing bound once closed', async () => {
    writeFileSync(
      join(project, 'start-mock.mjs'),
      `import { startMock } from '@usagebudget/mock';
import { createHandlers } from '@usagebudget/mock/msw';
const stateful = await startMock({ seed: 'test/mock-seed.json' });
const staticMock = await startMock({ mode: 'static' });
const headers = (token) => ({ Authorization: 'Bearer ' + token });
const path = (id) => '/v1/customers/' + id + '/usagebudget';
const seeded = await (await fetch(stateful.url + path(stateful.customers[0]), { headers: headers(stateful.token) })).json();
const example = await (await fetch(staticMock.url + path(staticMock.customers[0]), { headers: headers('any') })).json();
await Promise.all([stateful.close(), staticMock.close()]);
console.log(JSON.stringify({ urls: [stateful.url, staticMock.url], seeded: seeded.amount, example: example.amount, customers: stateful.customers, handlers: createHandlers().length }));`,
    );
    const result = (await node('start-mock.mjs')) as {
      urls: string[];
      seeded: number;
      example: number;
      customers: string[];
      handlers: number;
    };
    expect(result).toMatchObject({ seeded: seeded.budget, example: 100 });
    // startMock gives the seed's customer ids, in its order, whichever form each customer takes.
    expect(result.customers).toEqual(partner.customers.map((each) => (typeof each === 'string' ? each : each.id)));
    // One handler per operation: the budget's two, the customer list, the three usage reads and the
    // webhook registration's six.
    expect(result.handlers).toBe(12);
    for (const url of result.urls) expect(await portIsFree(Number(new URL(url).port))).toBe(true);
  });

  it('type-check a usage snippet under TS strict, from ESM and CJS', async () => {
    const usage = (importLine: string) => `${importLine}
import { UsageBudgetClient } from '@usagebudget/client';

export async function check(): Promise<number> {
  const mock: StatefulMock = await startMock({
    seed: { partners: [{ id: 'p', name: 'P', tokens: ['t'], customers: [{ id: 'c', cost: '1.5', budget: 2 }] }] },
  });
  // @ts-expect-error a cost is a string of digits: a JSON number would lose some
  await startMock({ seed: { partners: [{ id: 'p', name: 'P', tokens: ['t'], customers: [{ id: 'c', cost: 1.5 }] }] } });
  const rule: FaultRule = { operationId: 'getUsageBudget', status: 429, retryAfter: 0, times: 1 };
  await mock.admin.addFault(rule);
  const entries: JournalEntry[] = await mock.admin.journal({ operationId: 'getUsageBudget' });
  const client = new UsageBudgetClient({ baseURL: mock.url, credential: mock.token });
  const budget = await client.getBudget(mock.customers[0] ?? '');
  const usage: string = (await client.getCustomerUsageSummary(mock.customers[0] ?? '')).totalCost;
  await mock.close();
  // @ts-expect-error a static mock has no test controls
  (await startMock({ mode: 'static' })).admin;
  // @ts-expect-error a fault rule has no such field
  await mock.admin.addFault({ colour: 'red' });
  return entries.length + (budget.amount ?? 0) + usage.length;
}
`;
    const names = 'startMock, type FaultRule, type JournalEntry, type StatefulMock';
    writeFileSync(join(project, 'usage.mts'), usage(`import { ${names} } from '@usagebudget/mock';`));
    writeFileSync(join(project, 'usage.cts'), usage(`import { ${names} } from '@usagebudget/mock';`));
    expect(await typeCheckStrict(project, ['usage.mts', 'usage.cts'], ['node'])).toBe('');
  });
});

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
}

describe("the README's GitHub Actions job", () => {
  // What the job's runner gives that this test provides otherwise: the checkout is the project
  // folder, this Node is the one set up, and the packed packages stand in for `npm ci`.
  const providedHere = ['actions/checkout', 'actions/setup-node', 'npm ci'];

  it('runs: the mock starts in the background, the tests pass against it, and it stops by its pid', async () => {
    const [yamlText] = codeBlocks(readmeSection(rootReadme(), 'Use the mock in your CI'), 'yaml');
    const workflow = parse(yamlText as string) as { jobs: Record<string, { steps: Step[] }> };
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const skipped = steps.filter((step) => providedHere.some((what) => (step.uses ?? step.run ?? '').startsWith(what)));
    expect(skipped.map((step) => step.uses ?? step.run)).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'npm ci',
    ]);

    // The job's fixed port becomes a free one here, where other work shares the machine.
    const port = String(await freePort());
    const pidFile = join(project, 'mock.pid');
    pidFiles.add(pidFile);
    const results: { step: string; code: number | null; output: string }[] = [];
    let failed = false;
    for (const step of steps) {
      if (skipped.includes(step) || step.run === undefined) continue;
      const condition = step.if ?? 'success()';
      if (condition === 'success()' ? failed : condition === 'failure()' ? !failed : condition !== 'always()') continue;
      const done = await runToEnd('bash', ['-e', '-c', step.run.replaceAll('4010', port)], {
        cwd: project,
        env: {
          ...process.env,
          ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, v.replaceAll('4010', port)])),
        },
        timeoutMs: 90_000,
      });
      results.push({ step: step.name ?? step.run, code: done.code, output: done.stdout + done.stderr });
      if (done.code !== 0) failed = true;
    }
    const log = existsSync(join(project, 'mock.log')) ? readFileSync(join(project, 'mock.log'), 'utf8') : '';
    expect(
      results.map(({ step, code }) => [step, code]),
      JSON.stringify(results, null, 2) + log,
    ).toEqual([
      ['Start the usage budget mock', 0],
      ['Wait until it answers', 0],
      ['Test', 0],
      ['Stop the mock', 0],
    ]);
    // The consumer's own test (test/smoke.mjs) set and read a budget through the mock.
    expect(results[2]?.output).toContain(`"customer":"${customer}","cost":"${seeded.cost}"`);
    for (let attempt = 0; existsSync(pidFile) && attempt < 100; attempt++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(pidFile)).toBe(false);
    expect(log).toContain(`listening on http://127.0.0.1:${port}`);
    expect(await portIsFree(Number(port))).toBe(true);
  });
});
