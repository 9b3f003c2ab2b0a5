import { X509Certificate } from 'node:crypto';
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
      webhookRoot: `${mock.url}/webhooks/certificates/root.pem`,
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

  it('writes the webhook test root with --webhook-root-file (the one it serves), and sends only where --webhook-allow says', async () => {
    const partner = randomPartner('CLI webhook partner');
    const seedFile = join(scratch, 'webhook-seed.json');
    const rootFile = join(scratch, 'webhook-root.pem');
    writeFileSync(seedFile, JSON.stringify({ partners: [partner] }));
    const mock = await startMockBin([
      '--seed',
      seedFile,
      '--webhook-root-file',
      rootFile,
      '--webhook-allow',
      'receiver.example:8080',
    ]);
    try {
      const summary = summaryOf(await stdoutLines(mock, 2));
      const served = await fetch(String(summary.webhookRoot));
      expect(served.status).toBe(200);
      const root = readFileSync(rootFile, 'utf8');
      expect(root).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(new X509Certificate(root).fingerprint256).toBe(new X509Certificate(await served.text()).fingerprint256);
      const register = (webhookUrl: string) =>
        fetch(`${mock.url}/webhooks/v1/registration`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${partner.tokens[0]}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ webhookUrl, webhookEvents: ['test-created'] }),
        });
      // Loopback is no longer allowed once the allow-list is given; the named receiver is.
      expect((await register('http://127.0.0.1:8080/events')).status).toBe(400);
      expect((await register('http://receiver.example:8080/events')).status).toBe(200);
    } finally {
      expect(await mock.stop('SIGTERM')).toBe(0);
    }
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
      '--seed, --access-log, --journal-max-bytes, --allowed-host, --webhook-allow and --webhook-root-file need the stateful mode',
    ],
    [['--mode', 'static', '--journal-max-bytes', '1000'], '--journal-max-bytes, --allowed-host'],
    [
      ['--mode', 'static', '--webhook-allow', 'receiver:8080'],
      '--webhook-allow and --webhook-root-file need the stateful',
    ],
    [['--mode', 'static', '--webhook-root-file', 'root.pem'], '--webhook-root-file need the stateful'],
    [['--journal-max-bytes', '32MB'], '--journal-max-bytes: invalid value "32MB" (a number of bytes)'],
    [['--webhook-allow', 'http://receiver/'], '--webhook-allow: "http://receiver/" is not loopback, HOST or HOST:PORT'],
    [['--colour'], "Unknown option '--colour'"],
  ])('exits 2 with the usage for %j', async (args, message) => {
    const done = await runToEnd(process.execPath, [mockBin, ...args], { timeoutMs: 30_000 });
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(message);
    expect(done.stderr).toContain('Usage: usagebudget-mock');
  });

  it('exits 1 naming --webhook-root-file when it cannot write the root', async () => {
    const done = await runToEnd(
      process.execPath,
      [mockBin, '--port', '0', '--webhook-root-file', join(scratch, 'missing', 'root.pem')],
      { timeoutMs: 60_000 },
    );
    expect(done.code).toBe(1);
    expect(done.stderr).toContain(`--webhook-root-file: cannot write ${join(scratch, 'missing', 'root.pem')}`);
  });

  it('prints its usage with --help', async () => {
    const done = await runToEnd(process.execPath, [mockBin, '--help'], { timeoutMs: 30_000 });
    expect([done.code, done.stdout]).toEqual([0, expect.stringContaining('--pid-file FILE')]);
  });
});
