import type { CallOptions, Customer, UsageBudgetClient } from '@usagebudget/client';
import type { Invocation } from './arguments.js';
import {
  customerLine,
  customersTable,
  formatPartnerUsage,
  formatUsage,
  partnerUsageJson,
  reportCsv,
  reportLines,
  reportTable,
  type UsageResult,
  usageJson,
} from './listings.js';
import type { Style } from './output.js';
import { atOrOver, rowOfRecord, rowOfSummary, worstFirst } from './usage-figures.js';

type Command<Name> = Extract<Invocation, { kind: 'call'; command: Name }>;
type Write = (text: string) => void;

/**
 * `customers`: every customer, a page at a time as the client follows `links.next`. With
 * `--json` each customer is printed as its page arrives (a JSON line each), so a listing of any
 * length needs no more memory than a page; the table waits for the last page, to align it.
 */
export async function runCustomers(
  client: UsageBudgetClient,
  { pageSize, settings }: Command<'customers'>,
  options: CallOptions,
  write: Write,
  s: Style,
): Promise<void> {
  const customers = client.listCustomers(pageSize === undefined ? {} : { size: pageSize }, options);
  if (settings.json) {
    for await (const customer of customers) write(customerLine(customer));
    return;
  }
  const all: Customer[] = [];
  for await (const customer of customers) all.push(customer);
  write(customersTable(all, s));
}

/** `usage <customer-tenant-id>`: the customer's budget next to this period's cost, currency and percent used. */
export async function runUsage(
  client: UsageBudgetClient,
  { customerTenantId, settings }: Command<'usage'>,
  options: CallOptions,
  write: Write,
  s: Style,
): Promise<void> {
  const { data, response } = await client.getCustomerUsageSummary(customerTenantId, options).withResponse();
  const result: UsageResult = {
    row: rowOfSummary(data),
    billingStartDate: data.billingStartDate,
    billingEndDate: data.billingEndDate,
    requestId: response.requestId,
    correlationId: response.correlationId,
  };
  write(settings.json ? usageJson(result) : formatUsage(result, s));
}

/** `report`: every customer with usage, worst first, optionally only those `--over` a percentage. */
export async function runReport(
  client: UsageBudgetClient,
  { overPercent, format }: Command<'report'>,
  options: CallOptions,
  write: Write,
  s: Style,
): Promise<void> {
  const records = await client.listCustomerUsageRecords(options);
  const everyone = worstFirst(records.map(rowOfRecord));
  const rows = overPercent === undefined ? everyone : atOrOver(everyone, overPercent);
  if (format === 'json') write(reportLines(rows));
  else if (format === 'csv') write(reportCsv(rows));
  else write(reportTable(rows, everyone.length, overPercent, s));
}

/**
 * `partner-usage`: the partner's usage summary, an operation Partner Center plans to retire (and
 * whose cost leaves out Azure plans); `report` is its replacement, so the help and README say so.
 */
export async function runPartnerUsage(
  client: UsageBudgetClient,
  { settings }: Command<'partner-usage'>,
  options: CallOptions,
  write: Write,
  s: Style,
): Promise<void> {
  const { data, response } = await client.getPartnerUsageSummary(options).withResponse();
  const result = { summary: data, requestId: response.requestId, correlationId: response.correlationId };
  write(settings.json ? partnerUsageJson(result) : formatPartnerUsage(result, s));
}
