// `usagebudget apply`'s promise, every row applied exactly once with its amount, held against what
// an operator does around a run, through the built CLI and the reference server's own record of
// the updates it applied: two runs of one file at once, a run continued against another server or
// with another partner's token, answers lost and then forgotten by the service (its replay
// window), and failed rows kept however often a run is continued.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomPartner, type ServerProcess, startServerProcess } from '@usagebudget/server/testing';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LossyProxy, startLossyProxy } from './support/lossy-proxy.js';
import {
  appliesPerCustomer,
  budgetsOf,
  jsonLines,
  type Portfolio,
  reportCsv,
  startApply,
  startPortfolio,
  stoppedApply,
} from './support/portfolio.js';
import { usagebudget } from './support/run.js';

const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-apply-once-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Ten updates a second (five at once): slow enough to act while a run is under way.
const SLOW = ['--rate-limit', '10', '--burst', '5'];

/** Starts `apply` and stops it with `signal` once `after` rows have a result: exit code 130, or killed. */
async function interrupted(
  file: string,
  base: readonly string[],
  env: NodeJS.ProcessEnv,
  signal: NodeJS.Signals,
  after = 5,
  more: string[] = [],
) {
  const { cli, exit } = await stoppedApply(file, base, env, signal, after, ['--concurrency', '2', ...more]);
  expect(exit, cli.output()).toBe(signal === 'SIGKILL' ? 'SIGKILL' : 130);
  return cli;
}

/** This Linux process's start time, as the kernel counts it (/proc/PID/stat, field 22). */
function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}

describe('usagebudget apply: one run of a file at a time', () => {
  let portfolio: Portfolio;
  beforeAll(async () => {
    // 4 requests a second: the first run lasts about 10 s, so a second run started on two busy cores
    // (seconds for Node to start) still finds it running.
    portfolio = await startPortfolio(scratch, 'lock', 40, ['--rate-limit', '4', '--burst', '2']);
  });
  afterAll(() => portfolio?.server.stop());

  it('refuses a second run of the file while one runs, at once, with exit code 8', async () => {
    const file = join(scratch, 'together.csv');
    writeFileSync(file, reportCsv(portfolio.customers.map((id, index) => [id, `${index + 1}.5`])));
    const first = await startApply(file, portfolio.base, portfolio.env);
    const second = await usagebudget(['apply', file, ...portfolio.base], portfolio.env);
    expect(second.code, second.stderr).toBe(8);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain(`together.csv is being applied by another run (pid ${first.pid}, started `);
    expect(second.stderr).toMatch(/this run sent nothing/);
    expect(await first.exited, first.output()).toBe(0);
    expect(existsSync(`${file}.lock`), 'the lock goes with its run').toBe(false);
  });

  it('takes over the lock of a run killed with kill -9', async () => {
    const file = join(scratch, 'killed.csv');
    writeFileSync(file, reportCsv(portfolio.customers.map((id, index) => [id, `${index + 1}.75`])));
    await interrupted(file, portfolio.base, portfolio.env, 'SIGKILL');
    expect(existsSync(`${file}.lock`), 'kill -9 leaves its lock behind').toBe(true);
    const rerun = await usagebudget(['apply', file, '--json', ...portfolio.base], portfolio.env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(jsonLines(rerun.stdout).at(-1)).toMatchObject({ resumed: true });
  });

  it('takes over a lock whose pid is now another process, not one whose process still runs', async () => {
    // A lock naming a running process that started at another time: its pid was reused.
    const reused = join(scratch, 'reused.csv');
    writeFileSync(reused, reportCsv(portfolio.customers.map((id, index) => [id, `${index + 1}.25`])));
    const lock = (startTime: string) => JSON.stringify({ pid: process.pid, startTime, host: hostname() });
    writeFileSync(`${reused}.lock`, lock('1'));
    const taken = await usagebudget(['apply', reused, ...portfolio.base], portfolio.env);
    expect(taken.code, taken.stderr).toBe(0);
    // The same process, with its own start time: still running, so still held.
    writeFileSync(`${reused}.lock`, lock(startTimeOf(process.pid)));
    const held = await usagebudget(['apply', reused, ...portfolio.base], portfolio.env);
    expect(held.code, held.stderr).toBe(8);
    expect(held.stderr).toContain(`(pid ${process.pid}, started `);
    rmSync(`${reused}.lock`);
  });

  it("applied every update once, by the server's own record", async () => {
    await portfolio.server.stop();
    // together.csv, killed.csv and reused.csv: three updates a customer, none twice.
    expect(new Set(appliesPerCustomer(portfolio.db).values())).toEqual(new Set([3]));
  });
});

describe('usagebudget apply: a journal belongs to one target', () => {
  const partner = randomPartner('target', 12);
  const other = randomPartner('other partner', 2);
  let first: ServerProcess;
  let second: ServerProcess;
  const env = { PARTNER_CENTER_TOKEN: partner.tokens[0] };
  beforeAll(async () => {
    // Two servers with the same partner, customers and token: only the address tells them apart.
    const config = { partners: [partner, other] };
    [first, second] = await Promise.all([
      startServerProcess({ config, db: join(scratch, 'first.sqlite'), args: [...SLOW, '--no-access-log'] }),
      startServerProcess({ config, db: join(scratch, 'second.sqlite'), args: [...SLOW, '--no-access-log'] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  describe('a run stopped halfway on the first server', () => {
    const file = join(scratch, 'target.csv');
    beforeAll(async () => {
      writeFileSync(file, reportCsv(partner.customers.map((id, index) => [id, `${index + 1}.5`])));
      await interrupted(file, ['--base-url', first.url], env, 'SIGINT');
    });

    it('is refused against another server, saying which and how to start over', async () => {
      const elsewhere = await usagebudget(['apply', file, '--base-url', second.url], env);
      expect(elsewhere.code, elsewhere.stderr).toBe(2);
      expect(elsewhere.stdout).toBe('');
      expect(elsewhere.stderr).toContain(
        `target.csv.journal records an unfinished run against ${first.url}, not ${second.url}`,
      );
      expect(elsewhere.stderr).toMatch(/to start over against .*, remove .*target\.csv\.journal/);
    });

    it("is refused with another partner's token", async () => {
      const otherPartner = await usagebudget(['apply', file, '--base-url', first.url], {
        PARTNER_CENTER_TOKEN: other.tokens[0],
      });
      expect(otherPartner.code, otherPartner.stderr).toBe(2);
      expect(otherPartner.stderr).toContain(`for partner ${partner.id}, not ${other.id}`);
    });

    it('continues on its own server, with its own partner', async () => {
      const same = await usagebudget(['apply', file, '--json', '--base-url', first.url], env);
      expect(same.code, same.stderr).toBe(0);
      expect(jsonLines(same.stdout).at(-1)).toMatchObject({
        resumed: true,
        summary: { changed: partner.customers.length },
      });
    });
  });

  it("applied nothing on the other server, and nothing for the other partner, by the servers' own records", async () => {
    await Promise.all([first.stop(), second.stop()]);
    expect(appliesPerCustomer(second.db).size).toBe(0);
    const applied = appliesPerCustomer(first.db);
    expect([...applied.keys()].sort()).toEqual([...partner.customers].sort());
    expect(new Set(applied.values())).toEqual(new Set([1]));
  });
});

describe("usagebudget apply: the partner of an app-only token, by the token's tenant", () => {
  // An app-only token may not read the partner's usage summary: the partner is the token's tenant
  // (its `tid` claim), read from the token when it is a JWT, as Partner Center's tokens are.
  const jwt = (tid: string) =>
    [{ alg: 'none', typ: 'JWT' }, { tid, aud: 'https://api.partnercenter.microsoft.com' }, 'signature']
      .map((part) => (typeof part === 'string' ? part : Buffer.from(JSON.stringify(part)).toString('base64url')))
      .join('.');
  const tenants = [randomUUID(), randomUUID()] as const;
  const partners = tenants.map((tid, index) => ({
    ...randomPartner(`app-only ${index}`, index === 0 ? 10 : 1),
    tokens: [{ token: jwt(tid), kind: 'app-only' as const }],
  }));
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ config: { partners }, args: [...SLOW, '--no-access-log'] });
  });
  afterAll(() => server?.stop());

  it('refuses to continue a run with a token of another tenant', async () => {
    const [mine, theirs] = partners as [(typeof partners)[0], (typeof partners)[0]];
    const file = join(scratch, 'app-only.csv');
    writeFileSync(file, reportCsv(mine.customers.map((id, index) => [id, `${index + 1}`])));
    const base = ['--base-url', server.url];
    const env = { PARTNER_CENTER_TOKEN: mine.tokens[0]?.token };
    await interrupted(file, base, env, 'SIGINT', 3);
    const refused = await usagebudget(['apply', file, ...base], { PARTNER_CENTER_TOKEN: theirs.tokens[0]?.token });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`for partner ${tenants[0]}, not ${tenants[1]}`);
    const continued = await usagebudget(['apply', file, ...base], env);
    expect(continued.code, continued.stderr).toBe(0);
  });
});

describe('usagebudget apply: answers lost, and request ids the service forgot', () => {
  let portfolio: Portfolio;
  beforeAll(async () => {
    portfolio = await startPortfolio(scratch, 'lost', 200);
  });
  afterAll(() => portfolio?.server.stop());

  let proxy: LossyProxy;
  const file = join(scratch, 'lost.csv');
  const target = (index: number) => `${index + 1}.75`;
  beforeAll(async () => {
    proxy = await startLossyProxy(portfolio.server.url);
  });
  afterAll(() => proxy?.close());

  it('is killed while the answers of its first updates are lost, their sends in its journal', async () => {
    writeFileSync(file, reportCsv(portfolio.customers.map((id, index) => [id, target(index)])));
    // The service applies the first updates, and their answers never come back: the run is
    // killed while it waits for them.
    proxy.handle('lose-answer');
    let pid = 0;
    const lost = usagebudget(['apply', file, '--json', '--concurrency', '16', '--base-url', proxy.url], portfolio.env, {
      timeoutMs: 60_000,
      started: (started) => {
        pid = started;
      },
    });
    const deadline = Date.now() + 30_000;
    while (proxy.lost() < 16 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(proxy.lost()).toBe(16);
    process.kill(pid, 'SIGKILL');
    await lost;
    const journal = readFileSync(`${file}.journal`, 'utf8');
    expect(journal.match(/"kind":"send"/g)).toHaveLength(16);
    expect(journal).not.toContain('"kind":"done"');
  });

  it('reads the current budget before sending again an update that may have been applied', async () => {
    // A day later the service has forgotten those request ids: to it, each is new.
    proxy.handle('forget-request-id');
    const rerun = await usagebudget(['apply', file, '--json', '--base-url', proxy.url], portfolio.env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(jsonLines(rerun.stdout).at(-1)).toMatchObject({
      resumed: true,
      summary: { changed: 200, unchanged: 0, failed: 0 },
    });
    expect(await budgetsOf(portfolio, portfolio.customers)).toEqual(
      portfolio.customers.map((_, index) => Number(target(index))),
    );
  });

  it("applied every update once, by the server's own record", async () => {
    await proxy.close();
    await portfolio.server.stop();
    const applied = appliesPerCustomer(portfolio.db);
    expect(applied.size).toBe(200);
    expect(
      [...applied.values()].filter((count) => count > 1),
      'applied twice',
    ).toEqual([]);
  });
});

describe('usagebudget apply: failed rows across resumes', () => {
  let portfolio: Portfolio;
  beforeAll(async () => {
    portfolio = await startPortfolio(scratch, 'failed', 16, SLOW);
  });
  afterAll(() => portfolio?.server.stop());

  // Customers of no partner on this server: each update fails, at the top of the file.
  const strangers = [randomUUID(), randomUUID(), randomUUID()];
  const file = join(scratch, 'kept.csv');

  it('fails the rows of customers it cannot reach, in a run stopped halfway', async () => {
    writeFileSync(
      file,
      reportCsv([
        ...strangers.map((id) => [id, '5'] as const),
        ['not-a-guid', '5'],
        ...portfolio.customers.map((id, index) => [id, `${index + 1}`] as const),
      ]),
    );
    const first = await interrupted(file, portfolio.base, portfolio.env, 'SIGINT', 6, ['--skip-invalid']);
    const failedBefore = jsonLines(first.stdout()).filter((line) => line.outcome === 'failed');
    expect(failedBefore, 'the strangers failed in the first run').toHaveLength(3);
  });

  it('lists every row not applied, with its reason, in the file the summary names, once the run is continued', async () => {
    const rerun = await usagebudget(['apply', file, '--skip-invalid', '--json', ...portfolio.base], portfolio.env);
    expect(rerun.code, rerun.stderr).toBe(6);
    const summary = jsonLines(rerun.stdout).at(-1) as { summary: Record<string, number>; failedRows: string };
    expect(summary.summary).toMatchObject({ changed: 16, failed: 3, skipped: 1 });
    expect(summary.failedRows).toBe(join(scratch, 'kept.failed.csv'));
    const rows = parse(readFileSync(summary.failedRows), { columns: true }) as Record<string, string>[];
    expect(rows.map(({ customerId, line }) => [customerId, line])).toEqual([
      ...strangers.map((id, index) => [id, String(index + 2)]),
      ['not-a-guid', '5'],
    ]);
    for (const row of rows.slice(0, 3)) expect(row.error).toMatch(/\S/);
    expect(rows[3]?.error).toBe('customerId "not-a-guid" is not a GUID');
  });
});
