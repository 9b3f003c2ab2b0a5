import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI: the tests run what `usagebudget` runs. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end. The environment is `env` plus PATH only, so a developer's own
 * PARTNER_CENTER_TOKEN or NO_COLOR cannot change what a test sees.
 */
export function runToEnd(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** `usagebudget ARGS`, as a user runs it. */
export function usagebudget(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return runToEnd(process.execPath, [CLI, ...args], env);
}
