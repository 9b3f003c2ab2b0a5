// `@usagebudget/server`: start the reference server from code, and read or check its config.
// What tests and tools use to run it as a process (and its demo partner) is `./testing`.
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
export {
  type RunningServer,
  type ServerOptions,
  startServer,
  type TestControlsOptions,
} from './startup/start-server.js';
// The test controls a mock has (`startServer({ testControls })`, as `@usagebudget/mock` runs it).
export { TEST_CONTROLS_PATH, testControlsSpec } from './test-controls/admin-spec.js';
export { TEST_CONTROLS_HEADER, TEST_CONTROLS_HEADER_VALUE } from './test-controls/control-guard.js';
export type { ActiveFaultRule, FaultRule } from './test-controls/fault-rules.js';
export type { Journal, JournalEntry, JournalFilter } from './test-controls/journal.js';
export { type ParsedSeed, parseSeed, type Seed } from './test-controls/seed.js';
