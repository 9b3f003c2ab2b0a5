// `@usagebudget/server/testing`: what tests, scripts and benchmarks use to run the reference
// server (and other programs) as processes, and the fixtures they share. Not needed to run the
// server: that is the main entry and the bin.
export { MAX_BODY_BYTES } from '../http/request-body.js';
export { demoConfig, demoPartner } from '../partners/demo-partner.js';
export { LISTENING_LINE, listeningLine } from '../startup/listening-line.js';
export { type BudgetApply, readBudgetApplies } from '../storage/budget-applies.js';
export {
  type AuthorityRequest,
  PARTNER_CENTER_AUDIENCE,
  startTestAuthority,
  type TestApp,
  type TestAuthority,
  type TestAuthorityOptions,
  type TestUser,
} from './authority/index.js';
export { serverBinPath } from './bin-path.js';
export {
  DEFAULT_READY_TIMEOUT_MS,
  ExitedBeforeReadyError,
  type Finished,
  isRunning,
  type RunToEndOptions,
  runToEnd,
  type StartedProcess,
  type StartProcessOptions,
  type SystemUser,
  startProcess,
} from './child-process.js';
export { startProxy, type TestProxy } from './connect-proxy.js';
export {
  type FreePortAttempts,
  freePort,
  type LoopbackServer,
  listenOnLoopback,
  portIsFree,
  startOnFreePort,
} from './loopback.js';
export { type NodeServerOptions, type StartedServer, startNodeServer } from './node-server.js';
export {
  POSTGRES_BIN_VARIABLE,
  POSTGRES_TEST_USER,
  type PostgresOptions,
  postgresBinDir,
  type StartedPostgres,
  startPostgres,
} from './postgres.js';
export {
  budgetPath,
  exchangeRaw,
  jsonHeaders,
  parseRaw,
  type RawRequest,
  type RawResponse,
  sendRaw,
} from './raw-http.js';
export {
  randomPartner,
  type ServerProcess,
  type ServerProcessOptions,
  type SimplePartnerConfig,
  startServerProcess,
} from './server-process.js';
export { specViolations } from './spec-conformance.js';
export { startTlsServer, type TlsServer } from './tls-server.js';
export { readWebhookEvents } from './webhook-events.js';
export { type ReceivedDelivery, startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';
