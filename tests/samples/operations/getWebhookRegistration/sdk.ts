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

// 404 WebhookRegistrationNotFound before the first POST.
const { data: registration } =
  await webhooks.getWebhookRegistration();
console.log(
  registration.webhookUrl,
  registration.webhookEvents.join(' '),
);
