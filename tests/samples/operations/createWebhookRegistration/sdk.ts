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
const webhookUrl =
  process.env.WEBHOOK_URL ??
  'https://alerts.fabrikam-csp.example.com/partner-center/events';

// One registration per partner: a second POST is a 409
// WebhookRegistrationExists; update it with PUT.
const { data: registration } =
  await webhooks.createWebhookRegistration({
    webhookRegistration: {
      webhookUrl,
      webhookEvents: [
        'usagerecords-thresholdExceeded',
        'test-created',
      ],
    },
  });
console.log(
  registration.subscriberId,
  registration.webhookUrl,
);
