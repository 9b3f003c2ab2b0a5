// `usagebudget apply` against the reference server, run as a user runs it (the built bin): the
// file checked first, the plan, the apply, a clear, an interrupted run (Ctrl-C and kill -9)
// continued by a rerun, and the rows that failed applied again. What the server applied is read
// from its own record (`readBudgetApplies`) once it has stopped: nothing lost, nothing twice.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appliesPerCustomer,
  budgetsOf,
  jsonLines,
  type Portfolio,
  reportCsv,
  startPortfolio as startOn,
  stoppedApply,
} from './support/portfolio.js';
import { usagebudget } from './support/run.js';

const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-apply-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const startPortfolio = (name: string, size: number, throttleArgs: string[]) =>
  startOn(scratch, name, size, throttleArgs);

describe('usagebudget apply: checks, plan, apply, clear', () => {
  let portfolio: Portfolio;
  beforeAll(async () => {
    portfolio = await startPortfolio('checks', 6, []);
  });
  afterAll(() => portfolio?.server.stop());

  it('reports every bad row with its line and reason, and sends nothing', async () => {
    const [a, b, c] = portfolio.customers as [string, string, string];
    const file = join(scratch, 'invalid.csv');
    writeFileSync(
      file,
      reportCsv([
        [a, '100'],
        ['not-a-guid', '5'],
        [b, '-1'],
        [c, '12345678901234567.5'],
        [a, '7'],
        [b.toUpperCase(), '1,5'],
        [c, '2e3'],
      ]),
    );
    const run = await usagebudget(['apply', file, ...portfolio.base], portfolio.env);
    expect(run.code).toBe(2);
    const problems = run.stderr.split('\n').filter((line) => line.startsWith(file));
    expect(problems).toEqual([
      `${file}, line 2: customer ${a} is on more than one line`,
      `${file}, line 3: customerId "not-a-guid" is not a GUID`,
      expect.stringMatching(/^.*, line 4: budget "-1": a budget cannot be negative/),
      expect.stringMatching(/^.*, line 5: budget "12345678901234567.5": it has more significant digits/),
      `${file}, line 6: customer ${a} is also on line 2`,
      expect.stringMatching(
        /^.*, line 7: budget "1,5": expected digits, .*a comma is a decimal separator in some locales/,
      ),
      expect.stringMatching(/^.*, line 8: budget "2e3": expected digits, .*without an exponent/),
    ]);
    expect(run.stderr).toMatch(/7 invalid row\(s\) in .*; nothing was sent/);
    // With --json, the same rows as JSON lines on stdout, and the error as JSON on stderr.
    const json = await usagebudget(['apply', file, '--json', ...portfolio.base], portfolio.env);
    expect(json.code).toBe(2);
    expect(jsonLines(json.stdout).map(({ line, outcome }) => [line, outcome])).toEqual(
      [2, 3, 4, 5, 6, 7, 8].map((line) => [line, 'invalid']),
    );
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { type: 'UsageError' }, exitCode: 2 });
    expect(existsSync(`${file}.journal`)).toBe(false);
    expect(await budgetsOf(portfolio, [a, b, c])).toEqual([null, null, null]);
  });

  describe('a file as a spreadsheet exports it: the plan, then the changes', () => {
    let ids: [string, string, string, string, string, string];
    const file = join(scratch, 'quirks.csv');
    beforeAll(() => {
      ids = portfolio.customers as typeof ids;
      const [a, b, c, d, e, f] = ids;
      // BOM, CRLF, quoted commas, quotes and line breaks, as a spreadsheet exports them.
      writeFileSync(
        file,
        reportCsv(
          [
            [a, '250.50'],
            [b, '10'],
            [c, null],
            [d, '0'],
            [e, '0.5'],
            [f, '99999.99'],
          ],
          true,
        ),
      );
    });

    it('prints the plan of a dry run and sends nothing', async () => {
      const [a, b, , , e] = ids;
      const dry = await usagebudget(['apply', file, '--dry-run', ...portfolio.base], portfolio.env);
      expect(dry, dry.stderr).toMatchObject({ code: 0, stderr: '' });
      const plan = dry.stdout.trimEnd().split('\n');
      expect(plan[0]).toMatch(/^Customer ID +Current +New$/);
      expect(plan).toContain(`${a}     no budget        250.50`);
      expect(plan).toContain(`${e}     no budget          0.50`);
      expect(plan.at(-1)).toBe('dry run: 5 to change, 0 to clear, 1 unchanged, 0 skipped; nothing was sent');
      expect(await budgetsOf(portfolio, [a, b])).toEqual([null, null]);
    });

    it('applies it: each budget as the file says', async () => {
      const applied = await usagebudget(['apply', file, ...portfolio.base], portfolio.env);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toBe('5 changed, 1 unchanged, 0 cleared, 0 failed, 0 skipped\n');
      expect(await budgetsOf(portfolio, ids)).toEqual([250.5, 10, null, 0, 0.5, 99999.99]);
    });

    it('applies it again, edited: clears and changes what differs, skips what is already so', async () => {
      const [a, b, c, d, e, f] = ids;
      // The budgets as they are now, two cleared and one changed: only those three are sent.
      writeFileSync(
        file,
        reportCsv([
          [a, null],
          [b, '10.00'],
          [c, null],
          [d, null],
          [e, '0.5'],
          [f, '1'],
        ]),
      );
      const again = await usagebudget(['apply', file, '--json', ...portfolio.base], portfolio.env);
      expect(again.code, again.stderr).toBe(0);
      const lines = jsonLines(again.stdout);
      const outcomes = Object.fromEntries(
        lines.filter((line) => 'outcome' in line).map((line) => [line.customerId, line.outcome]),
      );
      expect(outcomes).toEqual({
        [a]: 'cleared',
        [b]: 'unchanged',
        [c]: 'unchanged',
        [d]: 'cleared',
        [e]: 'unchanged',
        [f]: 'changed',
      });
      expect(lines.at(-1)).toEqual({
        summary: { changed: 1, cleared: 2, unchanged: 3, failed: 0, skipped: 0, notStarted: 0 },
        interrupted: false,
        resumed: false,
        journal: `${file}.journal`,
        failedRows: null,
      });
      expect(await budgetsOf(portfolio, [a, d, f])).toEqual([null, null, 1]);
    });
  });

  it('applies the valid rows with --skip-invalid, and says so in its exit code', async () => {
    const [a, b] = portfolio.customers as [string, string];
    const file = join(scratch, 'skip.csv');
    writeFileSync(
      file,
      reportCsv([
        [a, '42'],
        [b, 'abc'],
      ]),
    );
    const run = await usagebudget(['apply', file, '--skip-invalid', ...portfolio.base], portfolio.env);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain(`${file}, line 3: budget "abc": expected digits, optionally a "." and decimals`);
    expect(run.stdout).toBe('1 changed, 0 unchanged, 0 cleared, 0 failed, 1 skipped\n');
    expect(await budgetsOf(portfolio, [a])).toEqual([42]);
  });
});

describe('usagebudget apply: interrupted and continued', () => {
  let portfolio: Portfolio;
  const target = (index: number) => (index % 5 === 4 ? null : `${1000 + index}.75`);
  beforeAll(async () => {
    // Ten updates a second (five at once): slow enough to stop the CLI halfway.
    portfolio = await startPortfolio('resume', 80, ['--rate-limit', '10', '--burst', '5']);
    // Every customer starts with a budget, so that clearing one is a change too.
    const seed = join(scratch, 'seed.csv');
    writeFileSync(seed, reportCsv(portfolio.customers.map((id) => [id, '1'])));
    const run = await usagebudget(['apply', seed, ...portfolio.base], portfolio.env);
    expect(run.code, run.stderr).toBe(0);
  });
  afterAll(() => portfolio?.server.stop());

  describe.each([
    ['SIGINT', 'finishes what is in flight, exits 130', 'ctrl-c'],
    ['SIGKILL', 'dies at once', 'kill-9'],
  ] as const)('a run stopped by %s (it %s)', (signal, _, name) => {
    let half: string[];
    const file = join(scratch, `${name}.csv`);
    /** The request id of each update the stopped run sent. */
    let sentBefore: Map<string, string>;

    it('stops halfway, every update it sent in its journal', async () => {
      half = portfolio.customers.slice(name === 'ctrl-c' ? 0 : 40, name === 'ctrl-c' ? 40 : 80);
      writeFileSync(file, reportCsv(half.map((id, index) => [id, target(index)])));
      const { cli, exit } = await stoppedApply(file, portfolio.base, portfolio.env, signal, 10, ['--concurrency', '4']);
      const journal = readFileSync(`${file}.journal`, 'utf8');
      expect(journal).not.toContain('"kind":"end"');
      if (signal === 'SIGINT') {
        expect(exit, cli.output()).toBe(130);
        const summary = jsonLines(cli.stdout()).at(-1) as { summary: { notStarted: number }; interrupted: boolean };
        expect(summary.interrupted).toBe(true);
        expect(summary.summary.notStarted).toBeGreaterThan(0);
        expect(summary).toMatchObject({ resumed: false, journal: `${file}.journal` });
        // Every update sent has its result in the journal.
        const sent = journal.split('\n').filter((line) => line.includes('"kind":"send"')).length;
        const done = journal.split('\n').filter((line) => line.includes('"kind":"done"')).length;
        expect(done).toBe(sent);
      } else {
        expect(exit).toBe('SIGKILL');
      }
      sentBefore = new Map(
        journal
          .split('\n')
          .filter((line) => line.includes('"kind":"send"'))
          .map((line) => JSON.parse(line) as { customerId: string; requestId: string })
          .map(({ customerId, requestId }) => [customerId, requestId]),
      );
      expect(sentBefore.size).toBeGreaterThan(0);
      expect(sentBefore.size).toBeLessThan(half.length);
    });

    it('continues where it stopped, with the same request ids: every row applied', async () => {
      const rerun = await usagebudget(['apply', file, '--json', ...portfolio.base], portfolio.env);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).toBe('');
      const after = readFileSync(`${file}.journal`, 'utf8').split('\n');
      expect(after.filter((line) => line.includes('"kind":"run"'))).toHaveLength(1);
      expect(after.at(-2)).toBe('{"kind":"end"}');
      // An update that may have gone out before the stop is sent again with the same request id.
      for (const line of after.filter((text) => text.includes('"kind":"send"'))) {
        const { customerId, requestId } = JSON.parse(line) as { customerId: string; requestId: string };
        if (sentBefore.has(customerId)) expect(requestId).toBe(sentBefore.get(customerId));
      }
      const { summary, resumed } = jsonLines(rerun.stdout).at(-1) as {
        summary: Record<string, number>;
        resumed: boolean;
      };
      expect(resumed).toBe(true);
      // Nothing lost: every row counts as applied, across both runs.
      expect(summary).toEqual({
        changed: half.filter((_, index) => target(index) !== null).length,
        cleared: half.filter((_, index) => target(index) === null).length,
        unchanged: 0,
        failed: 0,
        skipped: 0,
        notStarted: 0,
      });
      expect(await budgetsOf(portfolio, half)).toEqual(
        half.map((_, index) => (target(index) === null ? null : Number(target(index)))),
      );
    });
  });

  it("applied every update exactly once, by the server's own record", async () => {
    await portfolio.server.stop();
    const counts = appliesPerCustomer(portfolio.db);
    // The seed run applied one update per customer, the interrupted runs one more each.
    expect([...counts.keys()].sort()).toEqual([...portfolio.customers].sort());
    expect(new Set(counts.values())).toEqual(new Set([2]));
  });
});

describe('usagebudget apply: failed rows', () => {
  let portfolio: Portfolio;
  beforeAll(async () => {
    // One request a second, two in reserve (the reads of the run: whose token it is, and the current
    // budgets): with no retries most updates are refused (429).
    portfolio = await startPortfolio('failed', 6, ['--rate-limit', '1', '--burst', '2']);
  });
  afterAll(() => portfolio?.server.stop());

  const file = join(scratch, 'throttled.csv');
  const failedFile = join(scratch, 'throttled.failed.csv');
  let failed: string[];

  it('writes the rows that failed to a CSV, each with why', async () => {
    writeFileSync(file, reportCsv(portfolio.customers.map((id, index) => [id, `${index + 1}.5`])));
    const first = await usagebudget(['apply', file, '--retries', '0', ...portfolio.base], portfolio.env);
    expect(first.code, first.stderr).toBe(6);
    expect(first.stderr).toContain(`are in ${failedFile}`);
    failed = readFileSync(failedFile, 'utf8').trimEnd().split('\n');
    expect(failed[0]).toBe('customerId,budget,line,error');
    expect(failed.length).toBeGreaterThan(1);
    for (const row of failed.slice(1)) expect(row).toMatch(/^[0-9a-f-]{36},\d+\.5,\d+,.*429/);
  });

  it('applies that CSV again', async () => {
    // Retries enough to outlast a one-a-second limit on a busy machine: what is checked is that the
    // failed rows' file is applied, not how few retries that takes.
    const retried = await usagebudget(['apply', failedFile, '--retries', '10', ...portfolio.base], portfolio.env);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toBe(`${failed.length - 1} changed, 0 unchanged, 0 cleared, 0 failed, 0 skipped\n`);
    expect(await budgetsOf(portfolio, portfolio.customers)).toEqual(portfolio.customers.map((_, index) => index + 1.5));
  });
});
