// `@usagebudget/server`: start the reference server from code (and extend it, as the mock does),
// and read or check its config. What an extension answers with is `./extension`; what tests and
// tools use to run the server as a process (and its demo partner) is `./testing`.
export type { AccessLogEntry } from './http/access-log.js';
export type {
  BillingPeriod,
  CustomerConfig,
  Offer,
  PartnerConfig,
  ResolvedConfig,
  ResolvedCustomer,
  ResolvedPartner,
  ServerConfig,
  ThrottleConfig,
  TokenConfig,
  TokenKind,
} from './partners/config-format.js';
export { ConfigError, loadConfig, parseConfig } from './partners/config-reader.js';
export { DEFAULT_BASE_URL, DEFAULT_HOST, DEFAULT_PORT, defaultDataDir, defaultDbPath } from './startup/defaults.js';
export type { ExtendServer, ExtensionContext, ServerExtension, WebhookEventToRaise } from './startup/extension.js';
export { type RunningServer, type ServerOptions, startServer } from './startup/start-server.js';
export type {
  DeliveryAttemptRecord,
  DeliveryState,
  WebhookEventFilter,
  WebhookEventRecord,
} from './storage/webhook-store.js';
export type { CostChange, CostIncrease } from './usage/cost-changes.js';
export type { DeliverySchedule } from './webhooks/dispatcher.js';
export { WEBHOOK_EVENT_NAMES } from './webhooks/event-catalog.js';
export type { RaiseOutcome } from './webhooks/event-raiser.js';
export { WEBHOOK_SIGNING_ORGANIZATION } from './webhooks/signing-keys.js';
export { allowListProblem, DEFAULT_WEBHOOK_ALLOW } from './webhooks/target-policy.js';
export type { WebhookOptions, WebhookTrust } from './webhooks/webhooks.js';
