// `@usagebudget/client/webhooks` (Node.js): Partner Center's webhook deliveries verified from their
// raw bytes, a receiver for `node:http` and frameworks, and the customers a budget alert is about.
// A subpath of its own, so that the main entry's bundle carries no certificate code.

// The main entry's types that these functions take or return, named here too (nothing of it is bundled twice).
export type {
  CallOptions,
  CallPromise,
  CustomerMonthlyUsageRecord,
  Decimal,
  Throttle,
  UsageBudgetClient,
  WebhookEvent,
} from './index.js';
export type { CertificateTrust, TrustedCertificate } from './webhooks/certificate-chain.js';
export type { CertificateFetcher, CertificateFetchLimits } from './webhooks/certificate-fetch.js';
export { fetchCertificate } from './webhooks/certificate-fetch.js';
export { WebhookVerificationError, type WebhookVerificationReason } from './webhooks/errors.js';
export {
  DEFAULT_MAX_WEBHOOK_BODY_BYTES,
  verifyWebhookRequest,
  type WebhookAnswer,
  type WebhookEventListener,
  type WebhookHandlerOptions,
  webhookHandler,
} from './webhooks/node-handler.js';
export { memoryReplayGuard, type ReplayGuard } from './webhooks/replay-guard.js';
export type { WebhookHeaders } from './webhooks/signature-headers.js';
export { type OverBudgetCustomer, resolveThresholdExceeded, THRESHOLD_EXCEEDED } from './webhooks/threshold.js';
export {
  createWebhookVerifier,
  verifyWebhookEvent,
  type WebhookDelivery,
  type WebhookTrust,
  type WebhookVerifier,
  type WebhookVerifierOptions,
  webhookVerifierDefaults,
} from './webhooks/verifier.js';
