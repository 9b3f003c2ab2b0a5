export { LISTENING_LINE, type NodeServerOptions, type StartedServer, startNodeServer } from './node-server.js';
export { freePort } from './ports.js';
export { type PrismOptions, prismBin, type StartedPrism, startPrism } from './prism.js';
export { type StartedProcess, type StartProcessOptions, startProcess } from './process.js';
