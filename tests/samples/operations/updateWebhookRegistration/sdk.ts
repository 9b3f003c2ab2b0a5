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

// The whole registration: what it leaves out is dropped.
// signatureTokenToMsSignatureHeader: the signature comes
// in x-ms-signature instead of Authorization.
const { data: registration } =
  await webhooks.updateWebhookRegistration({
    webhookRegistration: {
      webhookUrl,
      webhookEvents: [
        'usagerecords-thresholdExceeded',
        'test-created',
        'invoice-ready',
      ],
      signatureTokenToMsSignatureHeader: true,
    },
  });
console.log(
  registration.webhookUrl,
  registration.webhookEvents.join(' '),
);
