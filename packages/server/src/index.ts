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
export type { ExtendServer, ExtensionContext, ServerExtension } from './startup/extension.js';
export { type RunningServer, type ServerOptions, startServer } from './startup/start-server.js';
