import type { CallPromise, SpendingBudget } from '@usagebudget/client';
import { formatAmount } from '../amount.js';
import { type Part, type Style, table } from '../output.js';
import { jsonLine } from '../terminal-text.js';
import type { CommandContext } from './command.js';

/** What `get`, `set` and `clear` report: the `--json` shape, documented in the README. */
export interface BudgetCommandResult {
  command: 'get' | 'set' | 'clear';
  customerTenantId: string;
  /** `null`: no budget is allocated. */
  amount: number | null;
  requestId: string;
  correlationId: string;
}

/** The human summary: customer, budget (or "no budget"), request ID. */
export function formatResult(result: BudgetCommandResult, s: Style): string {
  const budget: Part = result.amount === null ? ['no budget', s.muted] : [formatAmount(result.amount), s.value];
  return table(
    [
      ['Customer', result.customerTenantId],
      ['Budget', budget],
      ['Request ID', result.requestId],
    ],
    s,
  );
}

export function resultJson(result: BudgetCommandResult): string {
  // The documented keys, in a fixed order, whatever else the result may carry one day.
  const { command, customerTenantId, amount, requestId, correlationId } = result;
  return jsonLine({ command, customerTenantId, amount, requestId, correlationId });
}

/** Prints the budget a call of `get`, `set` or `clear` answered, as a summary or a JSON line. */
export async function printBudget(
  command: BudgetCommandResult['command'],
  customerTenantId: string,
  pending: CallPromise<SpendingBudget>,
  { write, style }: CommandContext,
  json: boolean,
): Promise<void> {
  const { data, response } = await pending.withResponse();
  const result: BudgetCommandResult = {
    command,
    customerTenantId,
    amount: data.amount ?? null,
    requestId: response.requestId,
    correlationId: response.correlationId,
  };
  write(json ? resultJson(result) : formatResult(result, style));
}
