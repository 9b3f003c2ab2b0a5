// npm install @usagebudget/client
import { UsageBudgetClient } from '@usagebudget/client';

const client = new UsageBudgetClient({
  // unset: Partner Center's API
  baseURL: process.env.PARTNER_CENTER_BASE_URL,
  credential: process.env.PARTNER_CENTER_TOKEN ?? '',
});
const correlationId =
  process.env.CORRELATION_ID ??
  '04af2aea-d413-42db-824e-f328001484d1';

// One result per delivery attempt; kept 7 days.
const delivery =
  await client.getWebhookTestEvent(correlationId);
console.log(delivery.status, delivery.callbackUrl);
for (const attempt of delivery.results) {
  console.log(
    attempt.dateTimeUtc,
    attempt.responseCode || attempt.responseMessage,
  );
}
