import { formatAmount } from '../amount.js';
import { customerTenantIdArgument, EXAMPLE_CUSTOMER_ID as EXAMPLE_ID } from '../command-line/values.js';
import { ExitCode } from '../exit-codes.js';
import { type Style, table } from '../output.js';
import { jsonLine } from '../terminal-text.js';
import { paintStanding, percentText, roundDecimal, rowOfSummary, rowRecord, type UsageRow } from '../usage-figures.js';
import type { Command } from './command.js';

/** What `usage` shows: the customer's figures, this billing period, and the call's ids. */
export interface UsageResult {
  row: UsageRow;
  billingStartDate: string;
  billingEndDate: string;
  requestId: string;
  correlationId: string;
}

/** `usage <customer-tenant-id>`: the customer's budget next to this period's cost, currency and percent used. */
export const usageCommand: Command<'usage', { customerTenantId: string }> = {
  name: 'usage',
  arguments: ['<customer-tenant-id>'],
  help: {
    synopsis: 'usagebudget usage <customer-tenant-id> [options]',
    summary:
      "Shows the customer's budget next to the estimated cost of its usage in the current billing\n" +
      'period, its currency and the percent of the budget used (100 x cost / budget). The cost is\n' +
      'rounded to cents here; --json gives it exactly, every digit as the service sent it. Needs an\n' +
      'app+user token (an app-only token is refused: exit code 4).',
    examples: `  usagebudget usage ${EXAMPLE_ID}
  usagebudget usage ${EXAMPLE_ID} --json`,
  },
  parse: ({ arguments: [id] }) => ({ customerTenantId: customerTenantIdArgument(id as string, 'usage') }),
  async run({ customerTenantId, settings }, context) {
    const { client } = context.connect();
    const pending = client.getCustomerUsageSummary(customerTenantId, context.callOptions);
    const { data, response } = await pending.withResponse();
    const result: UsageResult = {
      row: rowOfSummary(data),
      billingStartDate: data.billingStartDate,
      billingEndDate: data.billingEndDate,
      requestId: response.requestId,
      correlationId: response.correlationId,
    };
    context.write(settings.json ? usageJson(result) : formatUsage(result, context.style));
    return ExitCode.ok;
  },
};

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
    ...rowRecord(row),
    billingStartDate,
    billingEndDate,
    requestId,
    correlationId,
  });
}
