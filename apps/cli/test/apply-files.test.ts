// `usagebudget apply` given what a careless operator and a hostile file give it, through the built
// CLI against the reference server: rows with more or fewer fields than the header, a header that
// names a column twice, amounts in other spellings, paths that are not regular files (a pipe, a
// FIFO, /dev/stdin), a journal that is a symbolic link, a file rewritten during the run, binary
// garbage and huge fields. Each must end in a clear error (exit 2, by line) with nothing sent, or
// apply exactly what the file held when the run started.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appliesPerCustomer,
  budgetsOf,
  jsonLines,
  type Portfolio,
  reportCsv,
  startApply,
  startPortfolio,
} from './support/portfolio.js';
import { inShell, usagebudget } from './support/run.js';

const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-apply-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const HEADER = 'customerId,customerName,budget,cost,currency,percentUsed';
/** Only printable ASCII and line breaks: nothing from the file reaches the terminal raw. */
const PLAIN_TEXT = /^[\x20-\x7e\n]*$/;

/** `sh -c SCRIPT` in the scratch folder, the CLI run as `"$NODE" "$CLI_JS"`. */
const shell = (
  script: string,
  portfolio: Portfolio,
  options: { timeoutMs?: number; started?: (pid: number) => void } = {},
) => inShell(script, scratch, portfolio.env, options);

describe('usagebudget apply: what the file holds', () => {
  let portfolio: Portfolio;
  beforeAll(async () => {
    portfolio = await startPortfolio(scratch, 'rows', 12);
  });
  afterAll(() => portfolio?.server.stop());

  /** Runs apply on `text`, expecting exit 2 and nothing sent; resolves to stderr. */
  async function refused(name: string, text: string | Buffer, ids: readonly string[]): Promise<string> {
    const file = join(scratch, name);
    writeFileSync(file, text);
    const run = await usagebudget(['apply', file, ...portfolio.base], portfolio.env);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(existsSync(`${file}.journal`), 'no journal: nothing was sent').toBe(false);
    expect(await budgetsOf(portfolio, ids)).toEqual(ids.map(() => null));
    return run.stderr;
  }

  it('refuses a row with more fields than the header (an unquoted comma) or fewer, by line; nothing is sent', async () => {
    const [a, b, c] = portfolio.customers as [string, string, string];
    const stderr = await refused(
      'comma.csv',
      [
        HEADER,
        `${a},Contoso,5,0,USD,0`,
        // A thousands separator, and a name, written without quotes by a spreadsheet of another locale.
        `${b},"Fabrikam, Inc.",1,250.50,612.5,USD,122.5`,
        `${c},Northwind,7`,
        '',
      ].join('\n'),
      [a, b, c],
    );
    expect(stderr).toMatch(/comma\.csv, line 3: 7 fields where the header has 6: a comma outside quotes/);
    expect(stderr).toMatch(/comma\.csv, line 4: 3 fields where the header has 6/);
    expect(stderr).toMatch(/2 invalid row\(s\) in .*; nothing was sent/);
  });

  it('refuses a header that names a column twice', async () => {
    const [a] = portfolio.customers as [string];
    const stderr = await refused('twice.csv', `customerId,budget,customerName,budget\n${a},5,Contoso,7\n`, [a]);
    expect(stderr).toMatch(/twice\.csv, line 1: the header names the column "budget" twice \(columns 2 and 4\)/);
  });

  it('reads amounts in one spelling only, and says what it read and what it expects', async () => {
    const ids = portfolio.customers.slice(0, 6);
    const amounts = ['.5', '5.', '+5', '"1,250.50"', '1 250.50', '٣'];
    const stderr = await refused(
      'spelling.csv',
      `customerId,budget\n${ids.map((id, index) => `${id},${amounts[index]}`).join('\n')}\n`,
      ids,
    );
    const problems = stderr.split('\n').filter((line) => line.includes('spelling.csv, line'));
    expect(problems).toHaveLength(6);
    for (const line of problems)
      expect(line).toMatch(/expected digits, optionally a "\." and decimals, such as 1250\.50/);
    expect(problems[0]).toContain('budget ".5"');
    expect(problems[3]).toMatch(/budget "1,250\.50": .*comma.*locale/);
  });
});

describe('usagebudget apply: what the path names', () => {
  let portfolio: Portfolio;
  beforeAll(async () => {
    portfolio = await startPortfolio(scratch, 'paths', 6);
  });
  afterAll(() => portfolio?.server.stop());

  it('refuses /dev/stdin, a pipe, and sends nothing', async () => {
    const [a, b] = portfolio.customers as [string, string];
    const file = join(scratch, 'piped.csv');
    writeFileSync(
      file,
      reportCsv([
        [a, '11'],
        [b, '12'],
      ]),
    );
    const devStdin = await shell(
      `cat piped.csv | "$NODE" "$CLI_JS" apply /dev/stdin ${portfolio.base.join(' ')}`,
      portfolio,
    );
    expect(devStdin.code, devStdin.stderr).toBe(2);
    expect(devStdin.stderr).toMatch(
      /\/dev\/stdin: not a regular file \(a pipe or FIFO\): apply reads a file, or standard input when given -/,
    );
    expect(await budgetsOf(portfolio, [a, b])).toEqual([null, null]);
  });

  it('reads standard input, once, whole, with "-"', async () => {
    const [a, b] = portfolio.customers as [string, string];
    const dash = await shell(`cat piped.csv | "$NODE" "$CLI_JS" apply - --json ${portfolio.base.join(' ')}`, portfolio);
    expect(dash.code, dash.stderr).toBe(0);
    const summary = jsonLines(dash.stdout).at(-1) as { summary: { changed: number }; journal: string };
    expect(summary.summary.changed).toBe(2);
    // Standard input has no file to put the journal next to: it is named after what was read.
    expect(summary.journal).toMatch(/^stdin-[0-9a-f]{16}\.csv\.journal$/);
    expect(existsSync(join(scratch, summary.journal))).toBe(true);
    expect(await budgetsOf(portfolio, [a, b])).toEqual([11, 12]);
  });

  it('refuses a FIFO at once (it neither hangs nor ignores SIGTERM)', async () => {
    const a = portfolio.customers[2] as string;
    const fifo = join(scratch, 'budgets.fifo');
    execFileSync('mkfifo', [fifo]);
    // A writer that gives the FIFO one file's worth, then closes it: a second read would wait forever.
    const writer = shell(`printf '%s\\n%s\\n' customerId,budget ${a},5 > budgets.fifo`, portfolio, {
      timeoutMs: 30_000,
    });
    // SIGTERM after 5 s, to a run that has not ended by then.
    let stop: NodeJS.Timeout | undefined;
    const run = await usagebudget(['apply', fifo, ...portfolio.base], portfolio.env, {
      timeoutMs: 30_000,
      started: (pid) => {
        stop = setTimeout(() => process.kill(pid, 'SIGTERM'), 5000);
      },
    });
    clearTimeout(stop);
    expect(run.signal, 'killed by the time limit: it hung').toBeNull();
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/budgets\.fifo: not a regular file \(a pipe or FIFO\)/);
    // Let the writer go: open the FIFO for reading once.
    readFileSync(fifo);
    await writer;
    expect(await budgetsOf(portfolio, [a])).toEqual([null]);
  });

  it('refuses a directory', async () => {
    const directory = await usagebudget(['apply', scratch, ...portfolio.base], portfolio.env);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(/: not a regular file \(a directory\)/);
  });

  it('stops reading standard input on SIGTERM', async () => {
    const fifo = join(scratch, 'held.fifo');
    execFileSync('mkfifo', [fifo]);
    // The FIFO is held open for writing and never closed: standard input never ends.
    let holderPid = 0;
    const holder = shell('exec 3>held.fifo; exec sleep 60', portfolio, {
      timeoutMs: 60_000,
      started: (started) => {
        holderPid = started;
      },
    });
    let pid = 0;
    const run = shell(`exec "$NODE" "$CLI_JS" apply - ${portfolio.base.join(' ')} < held.fifo`, portfolio, {
      timeoutMs: 30_000,
      started: (started) => {
        pid = started;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    process.kill(pid, 'SIGTERM');
    const finished = await run;
    process.kill(holderPid, 'SIGTERM');
    await holder;
    expect(finished.signal, 'killed by the time limit: it ignored SIGTERM').toBeNull();
    expect(finished.code, finished.stderr).toBe(130);
  });

  it('never writes its journal or its failed rows through a symbolic link', async () => {
    const a = portfolio.customers[3] as string;
    const file = join(scratch, 'linked.csv');
    writeFileSync(file, reportCsv([[a, '21']]));
    const victim = join(scratch, 'precious.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, `${file}.journal`);
    const run = await usagebudget(['apply', file, ...portfolio.base], portfolio.env);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/linked\.csv\.journal is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    rmSync(`${file}.journal`);
    // Nor its failed rows: refused before anything is sent.
    symlinkSync(victim, join(scratch, 'linked.failed.csv'));
    const failed = await usagebudget(['apply', file, ...portfolio.base], portfolio.env);
    expect(failed.code, failed.stderr).toBe(2);
    expect(failed.stderr).toMatch(/linked\.failed\.csv is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(await budgetsOf(portfolio, [a])).toEqual([null]);
  });

  it('says binary garbage is not CSV text (exit 2), without echoing its bytes', async () => {
    const file = join(scratch, 'garbage.csv');
    const bytes = Buffer.alloc(4096);
    for (let index = 0; index < bytes.length; index++) bytes[index] = (index * 7919 + 13) % 256;
    writeFileSync(file, bytes);
    const run = await usagebudget(['apply', file, ...portfolio.base], portfolio.env);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/garbage\.csv, line 1: not UTF-8 text/);
    expect(run.stderr).toMatch(PLAIN_TEXT);
  });

  it('echoes a short prefix of a long field, with its length, and refuses a row too long to be a budget row', async () => {
    const [a] = portfolio.customers as [string];
    const long = join(scratch, 'long-field.csv');
    writeFileSync(long, `customerId,budget\n${a},${'9'.repeat(100_000)}x\n`);
    const field = await usagebudget(['apply', long, ...portfolio.base], portfolio.env);
    expect(field.code).toBe(2);
    expect(field.stderr.length).toBeLessThan(1000);
    expect(field.stderr).toMatch(/budget "9{20,}…" \(100001 characters\)/);

    const huge = join(scratch, 'huge-row.csv');
    writeFileSync(huge, `customerId,budget\n${a},"${'\u001b[2J'.repeat(1_000_000)}"\n`);
    const row = await usagebudget(['apply', huge, ...portfolio.base], portfolio.env);
    expect(row.code).toBe(2);
    expect(row.stderr.length).toBeLessThan(1000);
    expect(row.stderr).toMatch(/huge-row\.csv, line 2: a row longer than 1 MiB/);
    expect(row.stderr).toMatch(PLAIN_TEXT);
  });
});

describe('usagebudget apply: the file as it was when the run started', () => {
  let portfolio: Portfolio;
  beforeAll(async () => {
    // Ten updates a second: the file is rewritten while most are still to go.
    portfolio = await startPortfolio(scratch, 'edited', 30, ['--rate-limit', '10', '--burst', '5']);
  });
  afterAll(() => portfolio?.server.stop());

  it('applies what it checked, whatever is written to the file during the run', async () => {
    const file = join(scratch, 'edited.csv');
    // Long rows (a file of about 1 MB): the run reads it as it goes, not all at once. The edit keeps
    // every row where it was, only the amounts change.
    const name = 'N'.repeat(40_000);
    const target = (index: number) => `${100 + index}.25`;
    const rows = (amount: (index: number) => string) =>
      `${HEADER}\n${portfolio.customers.map((id, index) => `${id},${name},${amount(index)},0,USD,0\n`).join('')}`;
    writeFileSync(file, rows(target));
    const cli = await startApply(file, portfolio.base, portfolio.env);
    writeFileSync(
      file,
      rows(() => '999.99'),
    );
    const code = await cli.exited;
    expect(code, cli.output()).toBe(0);
    expect(await budgetsOf(portfolio, portfolio.customers)).toEqual(
      portfolio.customers.map((_, index) => Number(target(index))),
    );
    await portfolio.server.stop();
    expect(new Set(appliesPerCustomer(portfolio.db).values())).toEqual(new Set([1]));
  });
});
