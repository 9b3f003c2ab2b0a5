// npm install @usagebudget/client
// The generated API of the client (no retries or typed
// errors): the SDK's own webhook calls are coming.
import {
  Configuration,
  WebhooksApi,
} from '@usagebudget/client/raw';

const webhooks = new WebhooksApi(
  new Configuration({
    accessToken: process.env.PARTNER_CENTER_TOKEN ?? '',
  }),
  process.env.PARTNER_CENTER_BASE_URL ??
    'https://api.partnercenter.microsoft.com',
);
const correlationId =
  process.env.CORRELATION_ID ??
  '04af2aea-d413-42db-824e-f328001484d1';

// One result per delivery attempt; kept 7 days.
const { data: delivery } =
  await webhooks.getWebhookValidationEvent({
    correlationId,
  });
console.log(delivery.status, delivery.callbackUrl);
for (const attempt of delivery.results) {
  console.log(
    attempt.dateTimeUtc,
    attempt.responseCode || attempt.responseMessage,
  );
}
