import { fileURLToPath } from 'node:url';
import { type StartedServer, startNodeServer } from '@usagebudget/server/testing';

/** The `usagebudget-mock` bin, run with this Node. */
export const mockBin = fileURLToPath(new URL('../../bin/usagebudget-mock.js', import.meta.url));

/** The bin as a process on a free port, with `args`; resolves once it listens, and stops by its pid. */
export function startMockBin(args: readonly string[] = [], env?: NodeJS.ProcessEnv): Promise<StartedServer> {
  return startNodeServer({
    name: 'usagebudget-mock',
    script: mockBin,
    args: ['--port', '0', ...args],
    ...(env ? { env } : {}),
    timeoutMs: 60_000,
  });
}
