// `customers`, `usage`, `report` and `partner-usage` against the reference server with its demo partner, whose
// seeded portfolio has hundreds of customers, several currencies, some over budget, some without
// one: run as a user runs the CLI, through the built bin.
import { demoPartner, type ServerProcess, startServerProcess } from '@usagebudget/server/testing';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_COLUMNS } from '../src/budget-csv.js';
import { standing, type UsageRow } from '../src/usage-figures.js';
import { usagebudget, usagebudgetOnTerminal } from './support/run.js';

const [contoso, fabrikam] = demoPartner.customers;
const auth = { PARTNER_CENTER_TOKEN: demoPartner.token };
// The demo partner's app-only token (the server's fixture since issue 13): the usage reads refuse it.
const appOnly = {
  PARTNER_CENTER_TOKEN: (demoPartner as { appOnlyToken?: string }).appOnlyToken ?? 'no-app-only-token',
};

let server: ServerProcess;
let base: string[];

beforeAll(async () => {
  server = await startServerProcess({ args: ['--no-access-log'] });
  base = ['--base-url', server.url];
});

afterAll(() => server?.stop());

/** The JSON lines a command printed. */
const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

async function reportRows(...args: string[]) {
  const run = await usagebudget(['report', '--json', ...args, ...base], auth);
  expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
  return jsonLines(run.stdout);
}

describe('usagebudget customers', () => {
  it('lists every customer once across pages, as a table or as JSON lines', async () => {
    const paged = await usagebudget(['customers', '--page-size', '50', '--json', ...base], auth);
    expect(paged, paged.stderr).toMatchObject({ code: 0, stderr: '' });
    const customers = jsonLines(paged.stdout);
    expect(customers.length, 'more customers than one page').toBeGreaterThan(50);
    const ids = customers.map(({ customerId }) => customerId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([...demoPartner.customers]));
    for (const customer of customers) {
      expect(Object.keys(customer)).toEqual(['customerId', 'customerName', 'domain', 'relationshipToPartner']);
    }
    // One request for all of them, and the table of the same customers.
    const whole = await usagebudget(['customers', '--json', ...base], auth);
    expect(jsonLines(whole.stdout)).toEqual(customers);
    const table = await usagebudget(['customers', ...base], auth);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Customer ID {2,}Company name {2,}Domain {2,}Relationship$/);
    expect(lines.at(-1)).toBe(`${customers.length} customers`);
    expect(lines).toHaveLength(customers.length + 2);
  });

  it('lists customers with an app-only token too', async () => {
    const run = await usagebudget(['customers', '--json', ...base], appOnly);
    expect(run.code).toBe(0);
  });
});

describe('usagebudget usage', () => {
  it("shows a customer's budget next to its cost, currency and percent used, the cost exact in --json", async () => {
    const [record] = (await reportRows()).filter(({ customerId }) => customerId === fabrikam);
    expect(record, 'the customer has a usage record').toBeDefined();
    const json = await usagebudget(['usage', fabrikam as string, '--json', ...base], auth);
    expect(json, json.stderr).toMatchObject({ code: 0, stderr: '' });
    const usage = JSON.parse(json.stdout);
    expect(usage).toMatchObject({ command: 'usage', ...record });
    expect(usage.cost).toMatch(/^\d+\.\d+$/);
    const human = await usagebudget(['usage', fabrikam as string, ...base], auth);
    expect(human.stdout).toMatch(new RegExp(`^Customer {6}${fabrikam}$`, 'm'));
    const [, shown, currency] = /^Cost {10}(\d+\.\d{2}) (\S+)$/m.exec(human.stdout) ?? [];
    expect(currency).toBe(usage.currency);
    expect(Math.abs(Number(shown) - Number(usage.cost)), 'the cost to the cent').toBeLessThanOrEqual(0.005);
    expect(human.stdout).toMatch(new RegExp(`^Percent used {2}${usage.percentUsed.toFixed(2)} %$`, 'm'));
  });

  it('says "no budget" when the customer has none', async () => {
    await usagebudget(['clear', contoso as string, ...base], auth);
    const run = await usagebudget(['usage', contoso as string, ...base], auth);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Budget {8}no budget$/m);
    expect(run.stdout).toMatch(/^Percent used {2}-$/m);
  });

  it('exits 4 with an app-only token, naming TokenKindNotAccepted', async () => {
    const run = await usagebudget(['usage', fabrikam as string, ...base], appOnly);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^usagebudget: permission denied \(HTTP 403\)\n {2}Code {12}TokenKindNotAccepted$/m);
  });
});

describe('usagebudget report', () => {
  it('lists every customer with usage, worst first: budgets by percent used, those without one last', async () => {
    const rows = await reportRows();
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) expect(Object.keys(row)).toEqual([...REPORT_COLUMNS]);
    const withBudget = rows.filter(({ budget }) => budget !== null);
    expect(rows.slice(0, withBudget.length), 'customers with a budget first').toEqual(withBudget);
    const percents = withBudget.map(({ percentUsed }) => percentUsed as number);
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    expect(
      withBudget.some(({ percentUsed }) => (percentUsed as number) > 100),
      'someone is over budget',
    ).toBe(true);
    expect(new Set(rows.map(({ currency }) => currency)).size, 'several currencies').toBeGreaterThan(1);
  });

  it('shows only the customers at or over a percentage with --over', async () => {
    const rows = await reportRows();
    const over = await reportRows('--over', '100');
    expect(over.length).toBeGreaterThan(0);
    expect(over).toEqual(rows.filter(({ budget, percentUsed }) => budget !== null && (percentUsed as number) >= 100));
    const table = await usagebudget(['report', '--over', '100', ...base], auth);
    expect(table.stdout.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(
        `^${over.length} of ${rows.length} customers with usage at or over 100 % of their budget; \\d+ over budget$`,
      ),
    );
  });

  it('follows a budget that was just set: the next report has it, and its percent used', async () => {
    expect((await usagebudget(['set', fabrikam as string, '1000000', ...base], auth)).code).toBe(0);
    const [row] = (await reportRows()).filter(({ customerId }) => customerId === fabrikam);
    expect(row).toMatchObject({ budget: 1000000 });
    expect(row?.percentUsed).toBeLessThan(1);
    await usagebudget(['set', fabrikam as string, '500', ...base], auth);
  });

  it('writes CSV that reads back as the JSON lines: the columns apply reads, budget empty without one', async () => {
    const rows = await reportRows();
    const run = await usagebudget(['report', '--csv', ...base], auth);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.split('\n')[0]).toBe(REPORT_COLUMNS.join(','));
    const records = parse(run.stdout, { columns: true }) as Record<string, string>[];
    expect(records.map(({ customerId, cost }) => [customerId, cost])).toEqual(
      rows.map(({ customerId, cost }) => [customerId, cost]),
    );
    for (const [index, record] of records.entries()) {
      const budget = rows[index]?.budget as number | null;
      expect(record.budget === '' ? null : Number(record.budget)).toBe(budget);
    }
  });

  it('colours the table on a terminal only, and never with NO_COLOR', async () => {
    // script(1) gives the CLI a pseudo-terminal.
    const onTty = (env: NodeJS.ProcessEnv) =>
      usagebudgetOnTerminal(['report', '--over', '100', '--base-url', server.url], { ...auth, ...env });
    expect((await onTty({ TERM: 'xterm' })).stdout).toContain('\u001b[31m');
    expect((await onTty({ TERM: 'xterm', NO_COLOR: '1' })).stdout).not.toContain('\u001b[');
    expect((await usagebudget(['report', '--over', '100', ...base], auth)).stdout).not.toContain('\u001b[');
  });

  it('exits 4 with an app-only token', async () => {
    const run = await usagebudget(['report', '--json', ...base], appOnly);
    expect(run.code).toBe(4);
    expect(JSON.parse(run.stderr)).toMatchObject({ error: { status: 403, code: 'TokenKindNotAccepted' }, exitCode: 4 });
  });
});

describe('usagebudget partner-usage', () => {
  async function partnerUsage() {
    const run = await usagebudget(['partner-usage', '--json', ...base], auth);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.trimEnd().split('\n'), 'one JSON line').toHaveLength(1);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  }

  let summary: Record<string, unknown>;
  let rows: Record<string, unknown>[];
  let over: number;

  it("counts the report's customers: with usage, over budget and trending over it; the cost exact in --json", async () => {
    summary = await partnerUsage();
    expect(Object.keys(summary)).toEqual([
      'command',
      'partnerId',
      'partnerName',
      'customersWithUsageBasedSubscription',
      'customersOverBudget',
      'customersTrendingOver',
      'cost',
      'currency',
      'billingStartDate',
      'billingEndDate',
      'requestId',
      'correlationId',
    ]);
    expect(summary).toMatchObject({
      command: 'partner-usage',
      partnerId: demoPartner.id,
      partnerName: demoPartner.name,
    });
    expect(summary.cost).toMatch(/^\d+(\.\d+)?$/);
    rows = await reportRows();
    expect(summary.customersWithUsageBasedSubscription).toBe(rows.length);
    // The counts of the records' own standings, which the report's table sums up too.
    const standings = rows.map((row) => standing(row as unknown as UsageRow));
    over = standings.filter((found) => found === 'over').length;
    expect(summary.customersOverBudget).toBe(over);
    expect(summary.customersTrendingOver).toBe(standings.filter((found) => found === 'trending').length);
    const table = await usagebudget(['report', ...base], auth);
    expect(table.stdout.trimEnd()).toMatch(new RegExp(`; ${over} over budget$`));
  });

  it('shows those counts, and the cost to the cent in its currency, without --json', async () => {
    const human = await usagebudget(['partner-usage', ...base], auth);
    expect(human, human.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toMatch(new RegExp(`^Partner {15}${demoPartner.id}$`, 'm'));
    expect(human.stdout).toMatch(new RegExp(`^Customers with usage  ${rows.length}$`, 'm'));
    expect(human.stdout).toMatch(new RegExp(`^Over budget {11}${over}$`, 'm'));
    const [, shown, currency] = /^Legacy offers cost {4}(\d+\.\d{2}) (\S+)$/m.exec(human.stdout) ?? [];
    expect(currency).toBe(summary.currency);
    expect(Math.abs(Number(shown) - Number(summary.cost)), 'the cost to the cent').toBeLessThanOrEqual(0.005);
  });

  it('follows a budget that was just set: a customer put over its budget is counted', async () => {
    expect((await usagebudget(['set', fabrikam as string, '1000000', ...base], auth)).code).toBe(0);
    const within = await partnerUsage();
    expect((await usagebudget(['set', fabrikam as string, '0.01', ...base], auth)).code).toBe(0);
    const over = await partnerUsage();
    expect(over.customersOverBudget).toBe((within.customersOverBudget as number) + 1);
    await usagebudget(['set', fabrikam as string, '500', ...base], auth);
  });

  it('exits 4 with an app-only token, naming TokenKindNotAccepted', async () => {
    const run = await usagebudget(['partner-usage', ...base], appOnly);
    expect(run.code).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^usagebudget: permission denied \(HTTP 403\)\n {2}Code {12}TokenKindNotAccepted$/m);
  });
});
