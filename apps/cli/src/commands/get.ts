import { customerTenantIdArgument, EXAMPLE_CUSTOMER_ID as EXAMPLE_ID } from '../command-line/values.js';
import { ExitCode } from '../exit-codes.js';
import { printBudget } from './budget-result.js';
import type { Command } from './command.js';

/** `get <customer-tenant-id>`: the customer's budget, or "no budget". */
export const getCommand: Command<'get', { customerTenantId: string }> = {
  name: 'get',
  arguments: ['<customer-tenant-id>'],
  help: {
    synopsis: 'usagebudget get <customer-tenant-id> [options]',
    summary: 'Shows the customer\'s usage spending budget, or "no budget" when none is allocated.',
    examples: `  usagebudget get ${EXAMPLE_ID}
  usagebudget get ${EXAMPLE_ID} --json
  usagebudget get ${EXAMPLE_ID} --cloud global \\
    --token-command "az account get-access-token --resource https://api.partnercenter.microsoft.com"`,
  },
  parse: ({ arguments: [id] }) => ({ customerTenantId: customerTenantIdArgument(id as string, 'get') }),
  async run({ customerTenantId, settings }, context) {
    const { client } = context.connect();
    const pending = client.getBudget(customerTenantId, context.callOptions);
    await printBudget('get', customerTenantId, pending, context, settings.json);
    return ExitCode.ok;
  },
};
