import { parseAmount } from '../amount.js';
import { customerTenantIdArgument, EXAMPLE_CUSTOMER_ID as EXAMPLE_ID } from '../command-line/values.js';
import { ExitCode } from '../exit-codes.js';
import { printBudget } from './budget-result.js';
import type { Command } from './command.js';

/** `set <customer-tenant-id> <amount>`: the customer's budget, set to the amount exactly as typed. */
export const setCommand: Command<'set', { customerTenantId: string; amount: number }> = {
  name: 'set',
  arguments: ['<customer-tenant-id>', '<amount>'],
  help: {
    synopsis: 'usagebudget set <customer-tenant-id> <amount> [options]',
    summary:
      "Sets the customer's budget to <amount>, a decimal >= 0 in the customer's billing currency,\n" +
      'written as digits, optionally a dot and decimals (250.50; not 250,50, 1,250.50, .5 or 2.5e2).\n' +
      'The amount is kept exactly.',
    examples: `  usagebudget set ${EXAMPLE_ID} 250.50
  usagebudget set ${EXAMPLE_ID} 0 --correlation-id 9b7e6f3a-2c1d-4e5f-8a9b-0c1d2e3f4a5b`,
  },
  parse: ({ arguments: [id, amount] }) => ({
    customerTenantId: customerTenantIdArgument(id as string, 'set'),
    amount: parseAmount(amount as string),
  }),
  async run({ customerTenantId, amount, settings }, context) {
    const { client } = context.connect();
    const pending = client.setBudget(customerTenantId, amount, context.callOptions);
    await printBudget('set', customerTenantId, pending, context, settings.json);
    return ExitCode.ok;
  },
};
