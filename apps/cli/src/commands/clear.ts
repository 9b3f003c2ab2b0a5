import { customerTenantIdArgument, EXAMPLE_CUSTOMER_ID as EXAMPLE_ID } from '../command-line/values.js';
import { ExitCode } from '../exit-codes.js';
import { printBudget } from './budget-result.js';
import type { Command } from './command.js';

/** `clear <customer-tenant-id>`: the customer's budget removed. */
export const clearCommand: Command<'clear', { customerTenantId: string }> = {
  name: 'clear',
  arguments: ['<customer-tenant-id>'],
  help: {
    synopsis: 'usagebudget clear <customer-tenant-id> [options]',
    summary: "Removes the customer's budget (the service stores no amount).",
    examples: `  usagebudget clear ${EXAMPLE_ID}
  usagebudget clear ${EXAMPLE_ID} --json`,
  },
  parse: ({ arguments: [id] }) => ({ customerTenantId: customerTenantIdArgument(id as string, 'clear') }),
  async run({ customerTenantId, settings }, context) {
    const { client } = context.connect();
    const pending = client.clearBudget(customerTenantId, context.callOptions);
    await printBudget('clear', customerTenantId, pending, context, settings.json);
    return ExitCode.ok;
  },
};
