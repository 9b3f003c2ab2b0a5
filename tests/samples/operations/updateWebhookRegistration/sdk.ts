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

// The whole registration: what it leaves out is dropped.
// signatureTokenToMsSignatureHeader: the signature comes
// in x-ms-signature instead of Authorization.
const registered = await client.updateWebhookRegistration({
  webhookUrl,
  webhookEvents: [
    'usagerecords-thresholdExceeded',
    'test-created',
    'invoice-ready',
  ],
  signatureTokenToMsSignatureHeader: true,
});
console.log(
  registered.webhookUrl,
  registered.webhookEvents.join(' '),
);
