export type { AccessLogEntry } from './access-log.js';
export { serverBinPath } from './bin-path.js';
export { loadConfig, type PartnerConfig, parseConfig, type ServerConfig, type ThrottleConfig } from './config.js';
export { DEFAULT_BASE_URL, DEFAULT_HOST, DEFAULT_PORT, defaultDataDir, defaultDbPath } from './defaults.js';
export { demoConfig, demoPartner } from './demo-partner.js';
export { MAX_BODY_BYTES } from './request-body.js';
export { type RunningServer, type ServerOptions, startServer } from './server.js';
