// `@usagebudget/mock`: a mock of the Partner Center usage budget API for other teams' tests, from
// the one spec: `startMock` (stateful or static), the test controls' client, and their types.

// A seed is the reference server's config format: these types spell it out.
export type {
  ActiveFaultRule,
  BillingPeriod,
  CustomerConfig,
  FaultRule,
  JournalEntry,
  JournalFilter,
  PartnerConfig,
  Seed,
  ThrottleConfig,
  TokenConfig,
} from '@usagebudget/server';
export { connectMockAdmin, MOCK_ADMIN_HEADERS, MOCK_ADMIN_PATH, type MockAdmin, MockAdminError } from './admin.js';
export {
  type Mock,
  type MockMode,
  type MockOptions,
  type MockPartner,
  type StatefulMock,
  type StatefulMockOptions,
  type StaticMock,
  type StaticMockOptions,
  startMock,
} from './start-mock.js';
