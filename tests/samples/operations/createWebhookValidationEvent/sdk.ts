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

// Sends test-created to the registered URL (the
// registration must list it); 2 a minute, then 429.
const { data } =
  await webhooks.createWebhookValidationEvent();
console.log(data.correlationId);
