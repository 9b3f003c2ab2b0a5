// npm install @usagebudget/client
import { UsageBudgetClient } from '@usagebudget/client';

const client = new UsageBudgetClient({
  // unset: Partner Center's API
  baseURL: process.env.PARTNER_CENTER_BASE_URL,
  credential: process.env.PARTNER_CENTER_TOKEN ?? '',
});

// None registered yet: a NotFoundError
// (WebhookRegistrationNotFound).
const registration = await client.getWebhookRegistration();
console.log(
  registration.webhookUrl,
  registration.webhookEvents.join(' '),
);
