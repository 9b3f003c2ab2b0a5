// The usagebudget CLI (@usagebudget/cli) against the spec's documented faults: each arrives as
// the exit code the CLI documents. It lives here, not in the CLI's package, because it needs the
// Prism mock, which only this private side of the repository may depend on.

import { usagebudget } from '@usagebudget/cli/test/support/run.js';
import { startPrism } from '@usagebudget/mock/prism';
import { spec } from '@usagebudget/openapi';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedResponses, findResponse } from '../src/documented-responses.js';
import { startStatusPicker } from '../src/status-picker.js';

const CUSTOMER = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';
// Prism checks that a bearer token is sent, not which.
const env = { PARTNER_CENTER_TOKEN: 'prism-accepts-any-token' };

let prism: Awaited<ReturnType<typeof startPrism>>;
let picker: Awaited<ReturnType<typeof startStatusPicker>>;

beforeAll(async () => {
  prism = await startPrism({ mode: 'mock' });
  picker = await startStatusPicker(prism.url);
});

afterAll(async () => {
  await picker?.close();
  await prism?.stop();
});

/** The CLI against the spec's example response for `status` (`200:lastPage`: that example), without retries. */
function answeredWith(status: number | string, ...args: string[]) {
  return usagebudget([...args, '--base-url', `${picker.url}/status/${status}`, '--retries', '0'], env);
}

const responses = documentedResponses(spec);
const example = (operationId: string, name: string) =>
  findResponse(responses, operationId, 200).examples[name] as Record<string, unknown>;

describe("usagebudget against the Prism mock of the spec's responses", () => {
  it('shows the 200 example', async () => {
    const run = await answeredWith(200, 'get', CUSTOMER);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Budget {6}\d+\.\d{2}$/m);
  });

  it.each([
    [404, 3, 'not found (HTTP 404)'],
    [401, 4, 'authentication failed (HTTP 401)'],
    [403, 4, 'permission denied (HTTP 403)'],
    [429, 5, 'throttled (HTTP 429)'],
    [500, 1, 'the service failed (HTTP 500)'],
  ])('maps %d to exit code %d', async (status, exitCode, title) => {
    for (const args of [
      ['get', CUSTOMER],
      ['set', CUSTOMER, '250.50'],
      ['clear', CUSTOMER],
    ]) {
      const run = await answeredWith(status, ...args);
      expect(run.code, args[0]).toBe(exitCode);
      expect(run.stderr).toContain(`usagebudget: ${title}\n`);
      expect(run.stderr).toMatch(/^ {2}Description {3,}\S/m);
      expect(run.stderr).toMatch(/^ {2}Request ID {3,}[0-9a-f-]{36}$/m);
    }
  });

  it.each([
    [404, 3, 'not found (HTTP 404)', [['usage', CUSTOMER]]],
    [401, 4, 'authentication failed (HTTP 401)', [['usage', CUSTOMER], ['report'], ['partner-usage'], ['customers']]],
    [403, 4, 'permission denied (HTTP 403)', [['usage', CUSTOMER], ['report'], ['partner-usage'], ['customers']]],
    [429, 5, 'throttled (HTTP 429)', [['usage', CUSTOMER], ['report'], ['partner-usage'], ['customers']]],
    [500, 1, 'the service failed (HTTP 500)', [['usage', CUSTOMER], ['report'], ['partner-usage'], ['customers']]],
  ])('maps %d of the usage reads and the customer list to exit code %d', async (status, exitCode, title, commands) => {
    for (const args of commands) {
      const run = await answeredWith(status, ...args);
      expect(run.code, args[0]).toBe(exitCode);
      expect(run.stderr).toContain(`usagebudget: ${title}\n`);
      expect(run.stdout).toBe('');
    }
  });

  it('shows a usage summary example: the budget next to the cost, its currency and percent used; exact in --json', async () => {
    const azurePlan = example('getCustomerUsageSummary', 'azurePlan') as {
      budget: { amount: number };
      totalCost: string;
      currencyCode: string;
    };
    const run = await answeredWith('200:azurePlan', 'usage', CUSTOMER);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Budget {8}97\.00$/m);
    expect(run.stdout).toMatch(/^Cost {10}28\.83 GBP$/m);
    // 100 × 28.82860766744404945074 ÷ 97, to two decimals.
    expect(run.stdout).toMatch(/^Percent used {2}29\.72 %$/m);
    const json = JSON.parse((await answeredWith('200:azurePlan', 'usage', CUSTOMER, '--json')).stdout);
    expect(json).toMatchObject({
      budget: azurePlan.budget.amount,
      cost: azurePlan.totalCost,
      currency: azurePlan.currencyCode,
      percentUsed: 29.72,
    });
  });

  it('reports the usage records example worst first, as a table, JSON lines and CSV', async () => {
    const records = (example('listCustomerUsageRecords', 'fourCustomers') as { items: Record<string, unknown>[] })
      .items;
    const table = await answeredWith(200, 'report');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^11111111-6fb9-4b05-8f15-b3d72e0596e6 {2}Modern Azure Customer SE .* 602\.84 %$/);
    expect(lines.at(-1)).toBe('4 customers with usage; 1 over budget');
    const over = await answeredWith(200, 'report', '--over', '100', '--json');
    expect(
      over.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).customerName),
    ).toEqual(['Modern Azure Customer SE']);
    const csv = await answeredWith(200, 'report', '--csv');
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'customerId',
      'customerName',
      'budget',
      'cost',
      'currency',
      'percentUsed',
    ]);
    expect(new Set(rows.map(({ customerId, cost }) => `${customerId} ${cost}`))).toEqual(
      new Set(records.map((record) => `${record.resourceId} ${record.totalCost}`)),
    );
    expect(rows.filter(({ budget }) => budget === '').length).toBe(
      records.filter((record) => (record.budget as { amount?: number }).amount === undefined).length,
    );
  });

  it("shows the partner usage summary example: the counts, and the legacy offers' cost to the cent; exact in --json", async () => {
    const summary = example('getPartnerUsageSummary', 'partnerSummary') as Record<string, number | string>;
    const run = await answeredWith(200, 'partner-usage');
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(
      new RegExp(`^Customers with usage  ${summary.customersWithUsageBasedSubscription}$`, 'm'),
    );
    expect(run.stdout).toMatch(new RegExp(`^Over budget {11}${summary.customersOverBudget}$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^Trending over {9}${summary.customersTrendingOver}$`, 'm'));
    // 22.861172 to the cent, in the currency of its locale.
    expect(run.stdout).toMatch(/^Legacy offers cost {4}22\.86 fr-FR$/m);
    const json = JSON.parse((await answeredWith(200, 'partner-usage', '--json')).stdout);
    expect(json).toMatchObject({
      command: 'partner-usage',
      partnerId: summary.resourceId,
      partnerName: summary.resourceName,
      customersWithUsageBasedSubscription: summary.customersWithUsageBasedSubscription,
      customersOverBudget: summary.customersOverBudget,
      customersTrendingOver: summary.customersTrendingOver,
      cost: String(summary.totalCost),
      currency: summary.currencyLocale,
    });
  });

  it('lists the customers of the last page, and stops on a mock that answers its first page forever', async () => {
    const last = await answeredWith('200:lastPage', 'customers', '--json');
    expect(last.code).toBe(0);
    expect(
      last.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).customerId),
    ).toEqual(['b44bb1fb-c595-45b0-9e09-d657365580bf']);
    // The mock's first page always names a next page, which is the first page again.
    const endless = await answeredWith('200:firstPage', 'customers', '--json');
    expect(endless.code).toBe(7);
    expect(endless.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(JSON.parse(endless.stderr)).toMatchObject({
      error: { type: 'PagingError', code: 'PageRepeated', message: expect.stringMatching(/leads back to page 2/) },
      exitCode: 7,
    });
  });

  it('gives the same mapping under --json, with the fault on stderr', async () => {
    const run = await answeredWith(404, 'get', CUSTOMER, '--json');
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(JSON.parse(run.stderr)).toEqual({
      error: expect.objectContaining({ type: 'NotFoundError', status: 404, description: expect.any(String) }),
      exitCode: 3,
    });
  });
});
