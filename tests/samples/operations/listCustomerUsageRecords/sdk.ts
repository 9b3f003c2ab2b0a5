// npm install @usagebudget/client
import { UsageBudgetClient } from '@usagebudget/client';

const client = new UsageBudgetClient({
  // unset: Partner Center's API
  baseURL: process.env.PARTNER_CENTER_BASE_URL,
  credential: process.env.PARTNER_CENTER_TOKEN ?? '',
});

// One record per customer with usage; needs an app+user
// token. percentUsed: 100 × totalCost ÷ budget.
const records = await client.listCustomerUsageRecords();
for (const record of records) {
  console.log(
    record.resourceId,
    record.budget.amount ?? 'no budget',
    record.totalCost,
    record.currencyCode ?? record.currencyLocale,
    record.percentUsed,
  );
}
