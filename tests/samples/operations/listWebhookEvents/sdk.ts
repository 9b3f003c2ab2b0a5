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

// Names a registration may list in webhookEvents.
const { data: events } = await webhooks.listWebhookEvents();
for (const name of events) console.log(name);
