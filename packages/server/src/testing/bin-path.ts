import { fileURLToPath } from 'node:url';

/** The `usagebudget-server` bin, for tests and tools that run the server as a process of its own. */
export const serverBinPath = fileURLToPath(new URL('../../bin/usagebudget-server.js', import.meta.url));
