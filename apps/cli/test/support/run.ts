// The one harness that runs the CLI as users run it, for this package's tests and for the test
// workspaces that check the CLI (tests/contract imports it through its dependency on
// @usagebudget/cli: test workspaces depend on the product, never the reverse). It is not
// published: the package ships bin/, dist/ and its README.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Finished, isRunning, type RunToEndOptions, runToEnd } from '@usagebudget/server/testing';

const manifest = fileURLToPath(new URL('../../package.json', import.meta.url));

/** The `usagebudget` bin as the package declares it (`bin/usagebudget.js`): the tests run what users run. */
export const CLI = join(
  dirname(manifest),
  (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { usagebudget: string } }).bin.usagebudget,
);

/**
 * The environment of a run of the CLI: `env` plus PATH only, so that a developer's own
 * PARTNER_CENTER_TOKEN or NO_COLOR cannot change what a test sees.
 */
export function cliEnvironment(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, ...env };
}

/** `usagebudget ARGS`, as a user runs it, to its end, in {@link cliEnvironment}. */
export function usagebudget(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: Omit<RunToEndOptions, 'env'> = {},
): Promise<Finished> {
  return runToEnd(process.execPath, [CLI, ...args], { ...options, env: cliEnvironment(env) });
}

/** `usagebudget ARGS` to its end on a pseudo-terminal (script(1)), as a person runs it: its stdout is a TTY. */
export function usagebudgetOnTerminal(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  const words = [process.execPath, CLI, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  return runToEnd('script', ['-qec', words, '/dev/null'], { env: cliEnvironment(env) });
}

/** `usagebudget ARGS` to its end, sent `signal` by its pid once `when` resolves (Ctrl-C is SIGINT to that pid). */
export async function usagebudgetSignalled(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  signal: NodeJS.Signals,
  when: Promise<unknown>,
  timeoutMs: number,
): Promise<Finished> {
  let pid: number | undefined;
  const run = usagebudget(args, env, { timeoutMs, started: (started) => (pid = started) });
  await when;
  process.kill(pid as number, signal);
  return run;
}

/** Whether the process of `pid` has ended within `withinMs` (a SIGKILL is delivered asynchronously). */
export async function ended(pid: number, withinMs = 5_000): Promise<boolean> {
  for (const started = Date.now(); isRunning(pid) && Date.now() - started < withinMs; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return !isRunning(pid);
}

/**
 * `sh -c SCRIPT` in `cwd`, in {@link cliEnvironment} with `"$NODE" "$CLI_JS"` the CLI: the shell
 * sets up its standard input (a pipe, a FIFO).
 */
export function inShell(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  options: Omit<RunToEndOptions, 'env' | 'cwd'> = {},
): Promise<Finished> {
  return runToEnd('sh', ['-c', script], {
    ...options,
    cwd,
    env: cliEnvironment({ ...env, NODE: process.execPath, CLI_JS: CLI }),
  });
}
