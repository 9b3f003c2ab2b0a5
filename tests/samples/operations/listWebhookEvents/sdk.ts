// npm install @usagebudget/client
import { UsageBudgetClient } from '@usagebudget/client';

const client = new UsageBudgetClient({
  // unset: Partner Center's API
  baseURL: process.env.PARTNER_CENTER_BASE_URL,
  credential: process.env.PARTNER_CENTER_TOKEN ?? '',
});

// The names a registration may list in webhookEvents.
const events = await client.listWebhookEvents();
for (const name of events) console.log(name);
