// npm install @usagebudget/client
import { UsageBudgetClient } from '@usagebudget/client';

const client = new UsageBudgetClient({
  // unset: Partner Center's API
  baseURL: process.env.PARTNER_CENTER_BASE_URL,
  credential: process.env.PARTNER_CENTER_TOKEN ?? '',
});

// Deprecated: its totalCost leaves out Azure plans. Count
// listCustomerUsageRecords() instead. App+user token.
const summary = await client.getPartnerUsageSummary();
console.log(
  `${summary.customersOverBudget} over budget,`,
  `${summary.customersTrendingOver} trending over,`,
  `of ${summary.customersWithUsageBasedSubscription}`,
);
