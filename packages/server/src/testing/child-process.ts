// The one way this repository runs a program of its own or a tool (a server, Prism, a CLI) from a
// test, a script or the bench: spawned directly (never through a wrapper that would outlive a
// kill), stopped by the pid it was given, and killed when the parent exits first.
import { type ChildProcess, type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * How long a started process has to print its ready line by default. A start takes about a second
 * on an idle machine; under a whole test suite on two busy cores (load average 20 to 30) starts of
 * over 30 s were seen. A limit for hung starts, not a speed check.
 */
export const DEFAULT_READY_TIMEOUT_MS = 90_000;

export interface StartProcessOptions {
  /** A short name used in error messages. */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Runs it as this user (needs root): a program that refuses root, as PostgreSQL's do. */
  user?: SystemUser;
  /** The process is ready when a line of its stdout or stderr matches this. */
  ready: RegExp;
  /** How long to wait for the ready line; `DEFAULT_READY_TIMEOUT_MS` (90 s) by default. */
  timeoutMs?: number;
  /**
   * For a Node program (`command` is this Node): it ends when this process ends, however it ends,
   * `kill -9` included, which no exit hook of this process sees. It gets a pipe from this process
   * as its stdin (which it must not otherwise read) and a preloaded watch on it: at its end of
   * file, which the system gives once this process is gone, it sends itself SIGTERM (a program
   * that handles it stops its own way), and exits 1 ten seconds later if still running.
   */
  exitWithParent?: boolean;
}

export interface StartedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The match of the ready pattern (capture groups included). */
  readonly ready: RegExpMatchArray;
  /** Everything the process printed so far, stdout and stderr interleaved. */
  output(): string;
  /** What it printed on stdout alone so far. */
  stdout(): string;
  /** Resolves with the exit code (or signal name) when the process exits. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` to the process by its pid, escalates to SIGKILL after `graceMs`, and waits for the exit. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

/** A system user to run a program as, by its ids. */
export interface SystemUser {
  readonly uid: number;
  readonly gid: number;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
// The signals that end a process by default; a parent stopped by one must not leave its children.
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function killRunning(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

// If the test runner or script dies first, do not leave a child holding a port: on exit, and on
// a signal that would end this process without an exit event.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killRunning);
  for (const signal of ENDING_SIGNALS) {
    const onSignal = () => {
      // A program that handles the signal stops its children its own way (or exits, and the exit
      // hook kills what is left). Otherwise the signal would end it now: kill them, then end as the
      // signal's default action would have. Put first, this listener sees every other one.
      if (process.listenerCount(signal) > 1) return;
      killRunning();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.prependListener(signal, onSignal);
  }
}

// Loaded first into a child that must end with its parent (`exitWithParent`): the end of its
// stdin, a pipe only the parent holds open, is the parent's death. Unreferenced, the watch keeps
// no program alive that would otherwise end.
const EXIT_WITH_PARENT = `data:text/javascript,${encodeURIComponent(
  `const gone = () => {
     setTimeout(() => process.exit(1), 10000).unref();
     process.kill(process.pid, 'SIGTERM');
   };
   process.stdin.on('data', () => {}).once('end', gone).once('error', gone);
   process.stdin.unref?.();`,
)}`;

/** Spawns a program with its output piped, killed by the exit hook if this process exits first. */
function spawnTracked(
  command: string,
  args: readonly string[] = [],
  options: {
    cwd?: string | undefined;
    env?: NodeJS.ProcessEnv | undefined;
    exitWithParent?: boolean | undefined;
    user?: SystemUser | undefined;
  } = {},
) {
  installExitHook();
  if (options.exitWithParent && command !== process.execPath) {
    throw new Error(`exitWithParent needs a Node program run with this Node (${process.execPath}), not ${command}`);
  }
  const child = spawn(command, options.exitWithParent ? ['--import', EXIT_WITH_PARENT, ...args] : [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    stdio: [options.exitWithParent ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
  // Never written to: held open for the child to watch. Its close at the child's exit is no error.
  child.stdin?.on('error', () => {});
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** The process `startProcess` started ended before it printed its ready line (a port taken, a bad argument). */
export class ExitedBeforeReadyError extends Error {
  override name = 'ExitedBeforeReadyError';
}

/** Spawns a process, waits for its ready line, and returns a handle that stops it by pid. */
export function startProcess(options: StartProcessOptions): Promise<StartedProcess> {
  const child = spawnTracked(options.command, options.args, options);
  let output = '';
  let stdout = '';
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });

  return new Promise<StartedProcess>((resolve, reject) => {
    let pending = '';
    let settled = false;
    const timeoutMs = options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const fail = (reason: string, exitedEarly = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      const message = `${options.name}: ${reason}\n--- output ---\n${output.slice(-4000)}`;
      reject(exitedEarly ? new ExitedBeforeReadyError(message) : new Error(message));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer, fromStdout: boolean) => {
      const text = chunk.toString('utf8');
      output += text;
      if (fromStdout) stdout += text;
      if (settled) return;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = line.match(options.ready);
        if (!match) continue;
        settled = true;
        clearTimeout(timer);
        const pid = child.pid;
        if (pid === undefined) return fail('has no pid');
        resolve({
          child,
          pid,
          ready: match,
          output: () => output,
          stdout: () => stdout,
          exited,
          stop: (signal = 'SIGTERM', graceMs = 5_000) => stopByPid(child, pid, exited, signal, graceMs),
        });
        return;
      }
    };
    child.stdout?.on('data', (chunk: Buffer) => onData(chunk, true));
    child.stderr?.on('data', (chunk: Buffer) => onData(chunk, false));
    child.once('error', (error) => fail(`failed to start: ${error.message}`));
    exited.then((code) => fail(`exited with ${code} before it was ready`, true));
  });
}

async function stopByPid(
  child: ChildProcess,
  pid: number,
  exited: Promise<number | string>,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  try {
    process.kill(pid, signal);
  } catch {
    return exited; // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited in the meantime
    }
  }, graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** How a program that ran to its end ended, and what it printed. */
export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunToEndOptions {
  cwd?: string;
  /** The whole environment of the program; this process's by default. */
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL, by its pid) when it runs longer; no limit by default. */
  timeoutMs?: number;
  /** Called with its pid once it is spawned: how a test signals it (Ctrl-C is `SIGINT` to that pid). */
  started?: (pid: number) => void;
  /** Runs it as this user (needs root). */
  user?: SystemUser;
}

/** Runs a program to its end and resolves with its exit and output; it never rejects for a non-zero exit. */
export function runToEnd(command: string, args: readonly string[], options: RunToEndOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(command, args, options);
    let stdout = '';
    let stderr = '';
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
          }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (child.pid !== undefined) options.started?.(child.pid);
  });
}

/** Whether a process of this pid is running (a signal 0 reaches it): how tests check a stop killed what it should. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
