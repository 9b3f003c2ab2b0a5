// npm install @usagebudget/client
import { UsageBudgetClient } from '@usagebudget/client';

const client = new UsageBudgetClient({
  // unset: Partner Center's API
  baseURL: process.env.PARTNER_CENTER_BASE_URL,
  credential: process.env.PARTNER_CENTER_TOKEN ?? '',
});

// Sends test-created to the registered URL (the
// registration must list it); 2 a minute, then a
// RateLimitError. getWebhookTestEvent(correlationId)
// shows its delivery.
const { correlationId } =
  await client.sendWebhookTestEvent();
console.log(correlationId);
