import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageBudgetClient } from '@usagebudget/client';
import { portIsFree, randomPartner, runToEnd } from '@usagebudget/server/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { mockBin, startMockBin } from './support/mock-bin.js';

const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-mock-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The JSON line the bin prints after its listening line. */
const summaryOf = (stdout: string) => JSON.parse(stdout.split('\n')[1] ?? '{}') as Record<string, unknown>;

async function stdoutLines(server: { stdout(): string }, count: number): Promise<string> {
  while (server.stdout().split('\n').length <= count) await new Promise((resolve) => setTimeout(resolve, 20));
  return server.stdout();
}

describe('usagebudget-mock', () => {
  it('runs the stateful mock with a seed file, writes its pid, and stops on SIGTERM', async () => {
    const partner = randomPartner('CLI partner');
    const [customer] = partner.customers as [string];
    const seedFile = join(scratch, 'seed.json');
    const pidFile = join(scratch, 'mock.pid');
    writeFileSync(
      seedFile,
      JSON.stringify({ partners: [{ ...partner, customers: [{ id: customer, cost: '21', budget: 42 }] }] }),
    );
    const mock = await startMockBin(['--seed', seedFile, '--pid-file', pidFile]);
    const summary = summaryOf(await stdoutLines(mock, 2));
    expect(summary).toEqual({
      mode: 'stateful',
      url: mock.url,
      admin: `${mock.url}/_mock`,
      token: partner.tokens[0],
      customers: [customer],
    });
    expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(mock.pid));
    const client = new UsageBudgetClient({ baseURL: mock.url, credential: String(summary.token), maxRetries: 0 });
    expect((await client.getBudget(customer)).amount).toBe(42);
    expect((await client.getCustomerUsageSummary(customer)).totalCost).toBe('21');
    expect(await mock.stop('SIGTERM')).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
    expect(await portIsFree(Number(new URL(mock.url).port))).toBe(true);
  });

  it('runs the static mock, and stops Prism with it on SIGINT', async () => {
    const mock = await startMockBin(['--mode', 'static']);
    expect(summaryOf(await stdoutLines(mock, 2))).toMatchObject({ mode: 'static', url: mock.url });
    const response = await fetch(`${mock.url}/v1/customers/0c39d6d5-c70d-4c55-bc02-f620844f3fd1/usagebudget`, {
      headers: { Authorization: 'Bearer any', Prefer: 'code=429' },
    });
    expect(response.status).toBe(429);
    expect(await mock.stop('SIGINT')).toBe(0);
    expect(await portIsFree(Number(new URL(mock.url).port))).toBe(true);
  });

  it('refuses a seed that breaks the spec with exit 1, naming the file and every bad field', async () => {
    const seedFile = join(scratch, 'bad.json');
    writeFileSync(
      seedFile,
      JSON.stringify({ partners: [{ id: 'p', name: 'P', tokens: ['t'], customers: ['x', 'y'] }] }),
    );
    const done = await runToEnd(process.execPath, [mockBin, '--port', '0', '--seed', seedFile], { timeoutMs: 60_000 });
    expect(done.code).toBe(1);
    expect(done.stderr).toContain(`${seedFile}: 3 problems:`);
    expect(done.stderr).toContain("partners[0].id must be a GUID (the partner's tenant ID)");
    expect(done.stderr).toContain('partners[0].customers[0] must be a GUID');
    expect(done.stderr).toContain('partners[0].customers[1] must be a GUID');
  });

  it.each([
    [['--mode', 'dynamic'], '--mode: must be stateful or static'],
    [['--port', 'x'], '--port: invalid value "x"'],
    [
      ['--mode', 'static', '--seed', 'seed.json'],
      '--seed, --access-log, --journal-max-bytes and --allowed-host need the stateful mode',
    ],
    [['--mode', 'static', '--journal-max-bytes', '1000'], '--journal-max-bytes and --allowed-host need the stateful'],
    [['--journal-max-bytes', '32MB'], '--journal-max-bytes: invalid value "32MB" (a number of bytes)'],
    [['--colour'], "Unknown option '--colour'"],
  ])('exits 2 with the usage for %j', async (args, message) => {
    const done = await runToEnd(process.execPath, [mockBin, ...args], { timeoutMs: 30_000 });
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(message);
    expect(done.stderr).toContain('Usage: usagebudget-mock');
  });

  it('prints its usage with --help', async () => {
    const done = await runToEnd(process.execPath, [mockBin, '--help'], { timeoutMs: 30_000 });
    expect([done.code, done.stdout]).toEqual([0, expect.stringContaining('--pid-file FILE')]);
  });
});
