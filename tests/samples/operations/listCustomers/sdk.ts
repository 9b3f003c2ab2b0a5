// npm install @usagebudget/client
import { UsageBudgetClient } from '@usagebudget/client';

const client = new UsageBudgetClient({
  // unset: Partner Center's API
  baseURL: process.env.PARTNER_CENTER_BASE_URL,
  credential: process.env.PARTNER_CENTER_TOKEN ?? '',
});

// Every customer: the client follows links.next page by
// page. .byPage() gives the pages themselves.
let count = 0;
for await (const customer of client.listCustomers()) {
  const { companyName } = customer.companyProfile;
  console.log(customer.id, companyName);
  count++;
}
console.log(`${count} customers`);
