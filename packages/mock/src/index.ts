// `@usagebudget/mock`: a mock of the Partner Center usage budget API for other teams' tests, from
// the one spec: `startMock` (stateful or static), the test controls' client, and their types.

// A seed is the reference server's config format: these types spell it out.
export type {
  BillingPeriod,
  CustomerConfig,
  PartnerConfig,
  ThrottleConfig,
  TokenConfig,
} from '@usagebudget/server';
export { connectMockAdmin, MOCK_ADMIN_HEADERS, MOCK_ADMIN_PATH, type MockAdmin, MockAdminError } from './admin.js';
export type {
  MockOptions,
  MockWebhookOptions,
  SharedMockOptions,
  SharedServerOptions,
  StatefulMockOptions,
  StaticMockOptions,
} from './mock-options.js';
export { SHARED_ADMIN_TOKEN_ENV, type SharedMockAdmin, type SharedNamespace } from './shared-mock.js';
export {
  type Mock,
  type MockMode,
  type MockPartner,
  type MockWebhooks,
  type SharedMock,
  type StatefulMock,
  type StaticMock,
  startMock,
} from './start-mock.js';
export type { ActiveFaultRule, FaultRule } from './test-controls/fault-rules.js';
export type { JournalEntry, JournalFilter } from './test-controls/journal.js';
export type { Seed } from './test-controls/seed.js';
export type {
  CostIncreaseRequest,
  CostIncreaseResult,
  RaisedWebhookEvent,
  WebhookDelivery,
  WebhookDeliveryFilter,
  WebhookEventRequest,
} from './test-controls/webhook-controls.js';
