import type { Customer, PartnerUsageSummary } from '@usagebudget/client';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { REPORT_COLUMNS } from '../src/budget-csv.js';
import { customerLine, customersTable } from '../src/commands/customers.js';
import { formatPartnerUsage, partnerUsageJson } from '../src/commands/partner-usage.js';
import { reportCsv, reportLines, reportTable } from '../src/commands/report.js';
import { formatUsage, usageJson } from '../src/commands/usage.js';
import { style } from '../src/output.js';
import type { UsageRow } from '../src/usage-figures.js';

const rows: UsageRow[] = [
  {
    customerId: 'b5d3f0a2-7c41-4e8b-9f26-3a1e5c7d9b04',
    customerName: 'Fabrikam, Inc.',
    budget: 500,
    cost: '612.50330000000000325281',
    currency: 'USD',
    percentUsed: 122.5,
  },
  {
    customerId: '11111111-641b-4c53-b7fc-0f2bfca8a581',
    customerName: 'The "Best" Company\nUK',
    budget: 97,
    cost: '85.1',
    currency: 'GBP',
    percentUsed: 87.73,
  },
  {
    customerId: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
    customerName: 'Contoso Ltd',
    budget: null,
    cost: '412.77360021458339691162',
    currency: 'EUR',
    percentUsed: 0,
  },
];

const RED = '\u001b[31m';
const YELLOW = '\u001b[93m';

describe('report --csv', () => {
  it('writes the documented columns, quoting what needs it, budget empty without one, cost exact', () => {
    const csv = reportCsv(rows);
    expect(csv.split('\n')[0]).toBe('customerId,customerName,budget,cost,currency,percentUsed');
    const parsed = parse(csv, { columns: true }) as Record<string, string>[];
    expect(parsed).toEqual(
      rows.map((row) => ({
        ...Object.fromEntries(REPORT_COLUMNS.map((column) => [column, String(row[column])])),
        budget: row.budget === null ? '' : row.budget.toFixed(2),
      })),
    );
    expect(csv.endsWith('\n')).toBe(true);
  });

  it('writes only the header for no customer', () => {
    expect(reportCsv([])).toBe('customerId,customerName,budget,cost,currency,percentUsed\n');
  });
});

describe('report --json', () => {
  it('writes a JSON line a customer with the documented keys, cost exact', () => {
    const lines = reportLines(rows).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(rows);
    expect(Object.keys(JSON.parse(lines[0] as string))).toEqual([...REPORT_COLUMNS]);
  });
});

describe('report', () => {
  it('aligns the columns, numbers on the right, and says how many', () => {
    const text = reportTable(rows.slice(0, 1), 3, 100, style(false));
    expect(text).toBe(
      'Customer ID                           Name            Budget    Cost  Currency      Used\n' +
        'b5d3f0a2-7c41-4e8b-9f26-3a1e5c7d9b04  Fabrikam, Inc.  500.00  612.50  USD       122.50 %\n' +
        '1 of 3 customers with usage at or over 100 % of their budget; 1 over budget\n',
    );
  });

  it('colours over-budget rows red and trending ones yellow, only with colours on', () => {
    const coloured = reportTable(rows, 3, undefined, style(true)).split('\n');
    expect(coloured[1]).toMatch(new RegExp(`^${RED.replace('[', '\\[')}b5d3f0a2`));
    expect(coloured[2]?.startsWith(`${YELLOW}11111111`)).toBe(true);
    expect(coloured[3]).not.toContain('\u001b[');
    expect(reportTable(rows, 3, undefined, style(false))).not.toContain('\u001b[');
  });

  it("shows a name's control characters as visible escapes: a line break or an escape sequence cannot upset the terminal", () => {
    const table = reportTable(
      [{ ...(rows[2] as UsageRow), customerName: 'Evil\u001b[2J\nCo' }],
      1,
      undefined,
      style(false),
    );
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toContain('Evil\\u{1b}[2J\\u{a}Co');
    expect(table).not.toContain('\u001b');
  });

  it('says so when no customer is shown', () => {
    expect(reportTable([], 3, 1000, style(false))).toBe(
      '0 of 3 customers with usage at or over 1000 % of their budget; 0 over budget\n',
    );
  });
});

describe('usage', () => {
  const result = {
    row: rows[2] as UsageRow,
    billingStartDate: '2024-05-01T00:00:00+00:00',
    billingEndDate: '2024-06-01T00:00:00+00:00',
    requestId: 'r',
    correlationId: 'c',
  };

  it('shows the budget next to the cost (to the cent), currency and percent used', () => {
    expect(formatUsage(result, style(false))).toBe(
      'Customer      0c39d6d5-c70d-4c55-bc02-f620844f3fd1\n' +
        'Name          Contoso Ltd\n' +
        'Budget        no budget\n' +
        'Cost          412.77 EUR\n' +
        'Percent used  -\n' +
        'Period        2024-05-01T00:00:00+00:00 to 2024-06-01T00:00:00+00:00\n' +
        'Request ID    r\n',
    );
    expect(formatUsage({ ...result, row: rows[0] as UsageRow }, style(false))).toContain(
      'Budget        500.00\nCost          612.50 USD\nPercent used  122.50 %\n',
    );
  });

  it('gives the exact cost in --json', () => {
    expect(JSON.parse(usageJson(result))).toEqual({
      command: 'usage',
      ...rows[2],
      billingStartDate: result.billingStartDate,
      billingEndDate: result.billingEndDate,
      requestId: 'r',
      correlationId: 'c',
    });
  });
});

describe('customers', () => {
  const customer = (id: string, companyName: string): Customer =>
    ({
      id,
      companyProfile: {
        tenantId: id,
        companyName,
        domain: `${companyName.toLowerCase()}.onmicrosoft.com`,
        attributes: {},
      },
      relationshipToPartner: 'reseller',
      attributes: {},
    }) as Customer;

  it('lists them in a table, then how many; one JSON line each with --json', () => {
    const customers = [customer('0c39d6d5-c70d-4c55-bc02-f620844f3fd1', 'Contoso'), customer('b', 'Fabrikam')];
    expect(customersTable(customers, style(false))).toBe(
      'Customer ID                           Company name  Domain                    Relationship\n' +
        '0c39d6d5-c70d-4c55-bc02-f620844f3fd1  Contoso       contoso.onmicrosoft.com   reseller\n' +
        'b                                     Fabrikam      fabrikam.onmicrosoft.com  reseller\n' +
        '2 customers\n',
    );
    expect(customersTable([], style(false))).toBe('0 customers\n');
    expect(JSON.parse(customerLine(customers[1] as Customer))).toEqual({
      customerId: 'b',
      customerName: 'Fabrikam',
      domain: 'fabrikam.onmicrosoft.com',
      relationshipToPartner: 'reseller',
    });
  });
});

describe('partner-usage', () => {
  // The spec's example: a legacy offer's cost, in the currency of a locale.
  const summary = {
    customersOverBudget: 1,
    customersTrendingOver: 0,
    customersWithUsageBasedSubscription: 11,
    resourceId: '11111111-4574-4539-bc42-0e539b9684c0',
    resourceName: 'PLAMUATT2NETNEW',
    billingStartDate: '2019-08-28T00:00:00-07:00',
    billingEndDate: '2019-09-27T00:00:00-07:00',
    totalCost: '22.86517200000000000001',
    currencyLocale: 'fr-FR',
    lastModifiedDate: '2019-09-01T23:04:41.193+00:00',
    attributes: { objectType: 'PartnerUsageSummary' },
  } as PartnerUsageSummary;
  const result = { summary, requestId: 'r', correlationId: 'c' };

  it('shows the counts and the cost to the cent, in the currency of its locale or code', () => {
    expect(formatPartnerUsage(result, style(false))).toBe(
      'Partner               11111111-4574-4539-bc42-0e539b9684c0\n' +
        'Name                  PLAMUATT2NETNEW\n' +
        'Customers with usage  11\n' +
        'Over budget           1\n' +
        'Trending over         0\n' +
        'Legacy offers cost    22.87 fr-FR\n' +
        'Period                2019-08-28T00:00:00-07:00 to 2019-09-27T00:00:00-07:00\n' +
        'Request ID            r\n',
    );
    const inEuros = { ...result, summary: { ...summary, currencyCode: 'EUR' } };
    expect(formatPartnerUsage(inEuros, style(false))).toContain('Legacy offers cost    22.87 EUR\n');
  });

  it('gives one JSON line with the exact cost in --json', () => {
    const text = partnerUsageJson(result);
    expect(text.endsWith('\n') && text.indexOf('\n') === text.length - 1).toBe(true);
    expect(JSON.parse(text)).toEqual({
      command: 'partner-usage',
      partnerId: summary.resourceId,
      partnerName: summary.resourceName,
      customersWithUsageBasedSubscription: 11,
      customersOverBudget: 1,
      customersTrendingOver: 0,
      cost: '22.86517200000000000001',
      currency: 'fr-FR',
      billingStartDate: summary.billingStartDate,
      billingEndDate: summary.billingEndDate,
      requestId: 'r',
      correlationId: 'c',
    });
  });

  it("shows a partner name's control characters as visible escapes", () => {
    const hostile = { ...result, summary: { ...summary, resourceName: 'Evil\u001b[2J\nPartner' } };
    expect(formatPartnerUsage(hostile, style(false))).toContain('Name                  Evil\\u{1b}[2J\\u{a}Partner\n');
  });
});
