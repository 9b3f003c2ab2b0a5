import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Finished, runToEnd } from '@usagebudget/server/testing';

const manifestPath = createRequire(import.meta.url).resolve('@usagebudget/cli/package.json');
const manifest = createRequire(import.meta.url)(manifestPath) as { bin: Record<string, string> };
/** The built `usagebudget` bin of @usagebudget/cli, as its package declares it. */
const CLI = join(dirname(manifestPath), manifest.bin.usagebudget as string);

/** `usagebudget ARGS` to its end, with `env` and PATH only as its environment. */
export function usagebudget(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return runToEnd(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env } });
}
