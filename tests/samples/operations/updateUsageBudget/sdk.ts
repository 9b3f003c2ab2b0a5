// npm install @usagebudget/client
import { UsageBudgetClient } from '@usagebudget/client';

const client = new UsageBudgetClient({
  // unset: Partner Center's API
  baseURL: process.env.PARTNER_CENTER_BASE_URL,
  credential: process.env.PARTNER_CENTER_TOKEN ?? '',
});
const customerTenantId =
  process.env.CUSTOMER_TENANT_ID ??
  '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';

// Retries reuse the MS-RequestId: the update applies once.
// clearBudget(customerTenantId) removes the budget.
const budget = await client.setBudget(
  customerTenantId,
  250.5,
);
console.log(budget.amount);
