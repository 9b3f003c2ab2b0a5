import type { PartnerUsageSummary } from '@usagebudget/client';
import { ExitCode } from '../exit-codes.js';
import { type Style, table } from '../output.js';
import { jsonLine } from '../terminal-text.js';
import { currencyOf, roundDecimal } from '../usage-figures.js';
import type { Command } from './command.js';

/** What `partner-usage` shows: the partner's usage summary, and the call's ids. */
export interface PartnerUsageResult {
  summary: PartnerUsageSummary;
  requestId: string;
  correlationId: string;
}

/**
 * `partner-usage`: the partner's usage summary, an operation Partner Center plans to retire (and
 * whose cost leaves out Azure plans); `report` is its replacement, so the help and README say so.
 */
export const partnerUsageCommand: Command<'partner-usage', object> = {
  name: 'partner-usage',
  arguments: [],
  help: {
    synopsis: 'usagebudget partner-usage [options]',
    summary:
      "Shows the partner's usage summary: how many customers have usage, how many are over their\n" +
      'budget and how many trending over it (80 % or more), and the estimated cost of the legacy\n' +
      'Azure offers this billing period. Partner Center plans to retire this summary, and its cost\n' +
      'leaves out customers on an Azure plan: "usagebudget report" covers every customer. The cost is\n' +
      'rounded to cents here; --json gives it exactly. Needs an app+user token.',
    examples: `  usagebudget partner-usage
  usagebudget partner-usage --json | jq .customersOverBudget`,
  },
  parse: () => ({}),
  async run({ settings }, context) {
    const { client } = context.connect();
    const { data, response } = await client.getPartnerUsageSummary(context.callOptions).withResponse();
    const result = { summary: data, requestId: response.requestId, correlationId: response.correlationId };
    context.write(settings.json ? partnerUsageJson(result) : formatPartnerUsage(result, context.style));
    return ExitCode.ok;
  },
};

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
