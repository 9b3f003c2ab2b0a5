// `report` as a partner uses it: `--csv` opened in a spreadsheet (company names are third-party
// text, so a name must never become a formula or split a row) and read back by `apply`; and the
// customers over a budget of 0, who are over budget whatever their percent used says. Through the
// built CLI against the reference server, on a portfolio of such customers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomPartner, type ServerProcess, startServerProcess } from '@usagebudget/server/testing';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines } from './support/portfolio.js';
import { usagebudget } from './support/run.js';

const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Names a spreadsheet would run as formulas (OWASP's CSV injection), and line breaks a CSV reader splits on.
const HOSTILE_NAMES = [
  '=HYPERLINK("http://127.0.0.1/x","Click")',
  "+1+cmd|' /C calc'!A0",
  '-2+3',
  '@SUM(A1:A2)',
  '\tTabbed',
  '\rCarriage',
  "'Quoted already",
  'Bare\rreturn inside',
  'Line\nfeed inside',
  'Fabrikam, "Inc."',
];

const partner = randomPartner('spreadsheet', 0);
const customers = [
  ...HOSTILE_NAMES.map((name, index) => ({
    id: crypto.randomUUID(),
    name,
    budget: 100 + index,
    cost: `${10 + index}.5`,
  })),
  // Over a budget of 0: its percentUsed is 0 (the spec's rule), yet it is over budget.
  { id: crypto.randomUUID(), name: 'Zero Budget Ltd', budget: 0, cost: '12.5' },
  { id: crypto.randomUUID(), name: 'Nothing Spent Ltd', budget: 0, cost: '0' },
  { id: crypto.randomUUID(), name: 'Five Times Over', budget: 10, cost: '50' },
  { id: crypto.randomUUID(), name: 'Just Over', budget: 100, cost: '100.001' },
  { id: crypto.randomUUID(), name: 'Exactly There', budget: 100, cost: '100' },
  { id: crypto.randomUUID(), name: 'No Budget', budget: null, cost: '900' },
];
const zeroBudget = customers.at(-6)?.id;

let server: ServerProcess;
let base: string[];
const env = { PARTNER_CENTER_TOKEN: partner.tokens[0] };
beforeAll(async () => {
  server = await startServerProcess({
    config: { partners: [{ ...partner, customers }] },
    args: ['--no-access-log'],
  });
  base = ['--base-url', server.url];
});
afterAll(() => server?.stop());

const FORMULA_START = /^[=+\-@\t\r]/;

describe('usagebudget report --csv', () => {
  it('neutralises every cell a spreadsheet would run, and quotes CR and LF', async () => {
    const run = await usagebudget(['report', '--csv', ...base], env);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    // A reader that splits rows on a bare CR as well as on LF sees the same rows.
    const strict = parse(run.stdout, { columns: true, record_delimiter: ['\r\n', '\n', '\r'] }) as Record<
      string,
      string
    >[];
    const lax = parse(run.stdout, { columns: true }) as Record<string, string>[];
    expect(strict).toEqual(lax);
    expect(strict).toHaveLength(customers.length);
    for (const record of strict) {
      for (const cell of Object.values(record))
        expect(cell, 'a cell a spreadsheet would run').not.toMatch(FORMULA_START);
    }
    const names = strict.map((record) => record.customerName);
    for (const name of HOSTILE_NAMES) {
      // Prefixed with a single quote where it would start a formula (or starts with one already).
      expect(names).toContain(/^[=+\-@\t\r']/.test(name) ? `'${name}` : name);
    }
    // OWASP: the neutralised field is quoted, too.
    expect(run.stdout).toContain('"\'=HYPERLINK(""http://127.0.0.1/x"",""Click"")"');
  });

  it('is read back by apply to the same values: every row valid, nothing to change', async () => {
    const run = await usagebudget(['report', '--csv', ...base], env);
    const file = join(scratch, 'report.csv');
    writeFileSync(file, run.stdout);
    const dry = await usagebudget(['apply', file, '--dry-run', '--json', ...base], env);
    expect(dry.code, dry.stderr).toBe(0);
    const lines = jsonLines(dry.stdout);
    expect(lines.at(-1)).toEqual({
      dryRun: true,
      changed: 0,
      cleared: 0,
      unchanged: customers.length,
      failed: 0,
      skipped: 0,
      notStarted: 0,
    });
  });

  it("reads a cell apply's own CSV neutralised (a leading single quote) as the value it stands for", async () => {
    const [first] = customers;
    const file = join(scratch, 'quoted.csv');
    writeFileSync(file, `customerId,budget\n"'${first?.id}","'250.50"\n`);
    const dry = await usagebudget(['apply', file, '--dry-run', '--json', ...base], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(jsonLines(dry.stdout)[0]).toMatchObject({ customerId: first?.id, action: 'set', new: 250.5 });
  });
});

describe('usagebudget report: over budget', () => {
  it('lists a customer over a budget of 0 as over budget, first, with its cost', async () => {
    const run = await usagebudget(['report', '--json', ...base], env);
    expect(run.code, run.stderr).toBe(0);
    const rows = jsonLines(run.stdout);
    expect(rows[0]).toMatchObject({ customerId: zeroBudget, budget: 0, cost: '12.5', percentUsed: 0 });
    expect(rows.slice(0, 3).map(({ customerName }) => customerName)).toEqual([
      'Zero Budget Ltd',
      'Five Times Over',
      'Just Over',
    ]);
  });

  it('lists it first at or over any percentage, with those at or over 100 %', async () => {
    for (const percent of ['100', '80', '1000']) {
      const over = jsonLines((await usagebudget(['report', '--over', percent, '--json', ...base], env)).stdout);
      expect(over[0]?.customerId, `--over ${percent}`).toBe(zeroBudget);
    }
    const over100 = jsonLines((await usagebudget(['report', '--over', '100', '--json', ...base], env)).stdout);
    // At or over 100 %: the three over budget, and the one exactly at its budget.
    expect(over100.map(({ customerName }) => customerName)).toEqual([
      'Zero Budget Ltd',
      'Five Times Over',
      'Just Over',
      'Exactly There',
    ]);
  });

  it('counts it over budget as partner-usage does', async () => {
    const summary = await usagebudget(['partner-usage', '--json', ...base], env);
    const { customersOverBudget } = JSON.parse(summary.stdout) as { customersOverBudget: number };
    expect(customersOverBudget).toBe(3);
  });

  it('says "over" for it in the table, and counts it', async () => {
    const table = await usagebudget(['report', '--over', '100', ...base], env);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^\S+ {2}Zero Budget Ltd +0\.00 +12\.50 {2}USD +over$/);
    expect(lines.at(-1)).toBe('4 of 16 customers with usage at or over 100 % of their budget; 3 over budget');
  });
});
