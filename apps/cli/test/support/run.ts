import { fileURLToPath } from 'node:url';
import { type Finished, type RunToEndOptions, runToEnd } from '@usagebudget/server/testing';

/** The built CLI: the tests run what `usagebudget` runs. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * `usagebudget ARGS`, as a user runs it, to its end. The environment is `env` plus PATH only, so
 * a developer's own PARTNER_CENTER_TOKEN or NO_COLOR cannot change what a test sees.
 */
export function usagebudget(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: Omit<RunToEndOptions, 'env'> = {},
): Promise<Finished> {
  return runToEnd(process.execPath, [CLI, ...args], { ...options, env: { PATH: process.env.PATH, ...env } });
}
