import type { Customer, PartnerUsageSummary } from '@usagebudget/client';
import { formatAmount } from './amount.js';
import { type Style, table } from './output.js';
import { spreadsheetCsv } from './spreadsheet-csv.js';
import { displayWidth, jsonLine, padEnd, padStart, terminalText } from './terminal-text.js';
import { currencyOf, REPORT_COLUMNS, roundDecimal, shareUsed, standing, type UsageRow } from './usage-figures.js';

/** A column of a listing: its title, how a row shows in it, and whether it lines up on the right (numbers). */
interface Column<T> {
  title: string;
  cell(row: T): string;
  right?: boolean;
}

/**
 * Rows under their column titles, each column as wide as its widest cell on the terminal (wide
 * characters take two columns, combining ones none), two spaces apart. Each cell is shown through
 * `terminalText` (it may be the service's): the one place a listing's text reaches the terminal.
 * `paint` colours a finished line (after padding, so that colour codes do not upset the widths).
 */
function listing<T>(
  columns: readonly Column<T>[],
  rows: readonly T[],
  s: Style,
  paint: (row: T, line: string) => string = (_, line) => line,
): string {
  const cells = rows.map((row) => columns.map((column) => terminalText(column.cell(row))));
  const widths = columns.map((column, index) =>
    Math.max(displayWidth(column.title), ...cells.map((line) => displayWidth(line[index] as string))),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) =>
        columns[index]?.right ? padStart(value, widths[index] as number) : padEnd(value, widths[index] as number),
      )
      .join('  ')
      .trimEnd();
  return [
    s.label(line(columns.map(({ title }) => title))),
    ...cells.map((values, index) => paint(rows[index] as T, line(values))),
  ]
    .map((text) => `${text}\n`)
    .join('');
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

// --- customers -------------------------------------------------------------------------------

/** `customers --json`: one line a customer, these keys in this order. */
export function customerLine(customer: Customer): string {
  const { id, companyProfile, relationshipToPartner } = customer;
  return jsonLine({
    customerId: id,
    customerName: companyProfile.companyName,
    domain: companyProfile.domain,
    relationshipToPartner,
  });
}

/** `customers`: an aligned table, then how many. */
export function customersTable(customers: readonly Customer[], s: Style): string {
  const columns: Column<Customer>[] = [
    { title: 'Customer ID', cell: (customer) => customer.id },
    { title: 'Company name', cell: (customer) => customer.companyProfile.companyName },
    { title: 'Domain', cell: (customer) => customer.companyProfile.domain },
    { title: 'Relationship', cell: (customer) => customer.relationshipToPartner },
  ];
  return `${customers.length > 0 ? listing(columns, customers, s) : ''}${plural(customers.length, 'customer')}\n`;
}

// --- usage and report ------------------------------------------------------------------------

/** Percent used; `over` for a budget of 0 with a cost, whose percentUsed (0) says nothing. */
const percentText = (row: UsageRow) => {
  const share = shareUsed(row);
  return share === undefined ? '-' : share === Number.POSITIVE_INFINITY ? 'over' : `${row.percentUsed.toFixed(2)} %`;
};

/** Colours what the spec calls over budget red, and trending over it (80 % or more) yellow. */
function paintStanding(s: Style) {
  return (row: UsageRow, text: string) => {
    const where = standing(row);
    return where === 'over' ? s.error(text) : where === 'trending' ? s.warning(text) : text;
  };
}

export interface UsageResult {
  row: UsageRow;
  billingStartDate: string;
  billingEndDate: string;
  requestId: string;
  correlationId: string;
}

/** `usage`: the budget next to this period's cost (rounded to cents here; exact in `--json`) and percent used. */
export function formatUsage({ row, billingStartDate, billingEndDate, requestId }: UsageResult, s: Style): string {
  return table(
    [
      ['Customer', row.customerId],
      ['Name', row.customerName],
      ['Budget', row.budget === null ? ['no budget', s.muted] : [formatAmount(row.budget), s.value]],
      ['Cost', [roundDecimal(row.cost, 2), s.value], ' ', row.currency],
      ['Percent used', [percentText(row), (text) => paintStanding(s)(row, text)]],
      ['Period', billingStartDate, ' to ', billingEndDate],
      ['Request ID', requestId],
    ],
    s,
  );
}

/** `usage --json`: one line, these keys; `cost` is the exact decimal string. */
export function usageJson({ row, billingStartDate, billingEndDate, requestId, correlationId }: UsageResult): string {
  return jsonLine({
    command: 'usage',
    ...reportRecord(row),
    billingStartDate,
    billingEndDate,
    requestId,
    correlationId,
  });
}

/** A report row with the documented keys only, in their order. */
function reportRecord(row: UsageRow): UsageRow {
  const { customerId, customerName, budget, cost, currency, percentUsed } = row;
  return { customerId, customerName, budget, cost, currency, percentUsed };
}

/** `report --json`: one line a customer, worst first. */
export function reportLines(rows: readonly UsageRow[]): string {
  return rows.map((row) => jsonLine(reportRecord(row))).join('');
}

/**
 * `report --csv`: a header line, then a line a customer, safe to open in a spreadsheet (see
 * `spreadsheetCsv`: company names are third-party text). `budget` is empty when there is none,
 * `cost` exact: the file `usagebudget apply` reads.
 */
export function reportCsv(rows: readonly UsageRow[]): string {
  return spreadsheetCsv(
    REPORT_COLUMNS,
    rows.map((row) => ({ ...row, budget: row.budget === null ? '' : formatAmount(row.budget) })),
  );
}

/** `report`: an aligned table, worst first (colours by standing), then what it shows of how many. */
export function reportTable(
  rows: readonly UsageRow[],
  total: number,
  overPercent: number | undefined,
  s: Style,
): string {
  const columns: Column<UsageRow>[] = [
    { title: 'Customer ID', cell: (row) => row.customerId },
    { title: 'Name', cell: (row) => row.customerName },
    { title: 'Budget', cell: (row) => (row.budget === null ? 'no budget' : formatAmount(row.budget)), right: true },
    { title: 'Cost', cell: (row) => roundDecimal(row.cost, 2), right: true },
    { title: 'Currency', cell: (row) => row.currency },
    { title: 'Used', cell: percentText, right: true },
  ];
  const shown =
    overPercent === undefined
      ? `${plural(total, 'customer')} with usage`
      : `${rows.length} of ${plural(total, 'customer')} with usage at or over ${overPercent} % of their budget`;
  const over = rows.filter((row) => standing(row) === 'over').length;
  return `${rows.length > 0 ? listing(columns, rows, s, paintStanding(s)) : ''}${shown}; ${over} over budget\n`;
}

// --- partner-usage ---------------------------------------------------------------------------

export interface PartnerUsageResult {
  summary: PartnerUsageSummary;
  requestId: string;
  correlationId: string;
}

/**
 * `partner-usage`: the partner's counts of customers over and trending over their budgets, and
 * the cost of its legacy offers (rounded to cents here; exact in `--json`).
 */
export function formatPartnerUsage({ summary, requestId }: PartnerUsageResult, s: Style): string {
  return table(
    [
      ['Partner', summary.resourceId],
      ['Name', summary.resourceName],
      ['Customers with usage', [String(summary.customersWithUsageBasedSubscription), s.value]],
      ['Over budget', [String(summary.customersOverBudget), s.value]],
      ['Trending over', [String(summary.customersTrendingOver), s.value]],
      // Partner Center leaves the customers on an Azure plan out of this total.
      ['Legacy offers cost', [roundDecimal(summary.totalCost, 2), s.value], ' ', currencyOf(summary)],
      ['Period', summary.billingStartDate, ' to ', summary.billingEndDate],
      ['Request ID', requestId],
    ],
    s,
  );
}

/** `partner-usage --json`: one line, these keys; `cost` is the exact decimal string. */
export function partnerUsageJson({ summary, requestId, correlationId }: PartnerUsageResult): string {
  return jsonLine({
    command: 'partner-usage',
    partnerId: summary.resourceId,
    partnerName: summary.resourceName,
    customersWithUsageBasedSubscription: summary.customersWithUsageBasedSubscription,
    customersOverBudget: summary.customersOverBudget,
    customersTrendingOver: summary.customersTrendingOver,
    cost: summary.totalCost,
    currency: currencyOf(summary),
    billingStartDate: summary.billingStartDate,
    billingEndDate: summary.billingEndDate,
    requestId,
    correlationId,
  });
}
