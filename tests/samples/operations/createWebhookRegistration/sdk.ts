// npm install @usagebudget/client
import { UsageBudgetClient } from '@usagebudget/client';

const client = new UsageBudgetClient({
  // unset: Partner Center's API
  baseURL: process.env.PARTNER_CENTER_BASE_URL,
  credential: process.env.PARTNER_CENTER_TOKEN ?? '',
});
const webhookUrl =
  process.env.WEBHOOK_URL ??
  'https://alerts.fabrikam-csp.example.com/partner-center/events';

// One registration per partner: a second one is a
// ConflictError (WebhookRegistrationExists); replace it
// with updateWebhookRegistration.
const registered = await client.createWebhookRegistration({
  webhookUrl,
  webhookEvents: [
    'usagerecords-thresholdExceeded',
    'test-created',
  ],
});
console.log(registered.subscriberId, registered.webhookUrl);
