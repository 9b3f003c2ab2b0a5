// Runs a sample or a README block as a user would: a TypeScript file as the JavaScript tsc made of
// it (the workspace's build), a shell file with sh.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Finished, runToEnd } from '@usagebudget/server/testing';

export const workspaceDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `file` (a path from this workspace, or absolute) to its end with `env` as its whole environment.
 * A shell file runs with `sh -e`, so a failing command fails it.
 */
export function runSample(file: string, env: NodeJS.ProcessEnv): Promise<Finished> {
  const options = { cwd: workspaceDir, env, timeoutMs: 60_000 };
  const path = resolve(workspaceDir, file);
  if (path.endsWith('.sh')) return runToEnd('sh', ['-e', path], options);
  if (path.endsWith('.ts')) {
    const compiled = join(workspaceDir, 'dist', relative(workspaceDir, path).replace(/\.ts$/, '.js'));
    if (!existsSync(compiled)) {
      throw new Error(`${compiled} is missing: run pnpm --filter @usagebudget/samples build`);
    }
    return runToEnd(process.execPath, [compiled], options);
  }
  throw new Error(`${file}: no way to run this kind of file (.ts and .sh are known)`);
}

/** How a run ended and what it printed, for failure messages. */
export function describeRun(run: Finished): string {
  return `it ended with ${run.code ?? run.signal}\n--- its stdout ---\n${run.stdout}--- its stderr ---\n${run.stderr}`;
}
