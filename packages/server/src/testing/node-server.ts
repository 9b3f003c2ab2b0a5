import { LISTENING_LINE } from '../startup/listening-line.js';
import { type StartedProcess, type StartProcessOptions, startProcess } from './child-process.js';

export interface StartedServer extends StartedProcess {
  /** The URL from the server's listening line (`listening on URL`). */
  readonly url: string;
}

export interface NodeServerOptions extends Omit<StartProcessOptions, 'command' | 'args' | 'ready'> {
  /** The server's script, run with this Node (never through a wrapper that would outlive a kill). */
  script: string;
  args?: readonly string[];
}

/** Runs a Node server script and resolves with its URL once it prints `listening on URL`. */
export async function startNodeServer(options: NodeServerOptions): Promise<StartedServer> {
  const { script, args = [], ...rest } = options;
  const started = await startProcess({
    ...rest,
    command: process.execPath,
    args: [script, ...args],
    ready: LISTENING_LINE,
  });
  return Object.assign(started, { url: started.ready[1] as string });
}
