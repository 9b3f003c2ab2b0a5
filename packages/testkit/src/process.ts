import { type ChildProcess, spawn } from 'node:child_process';

export interface StartProcessOptions {
  /** A short name used in error messages. */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The process is ready when a line of its stdout or stderr matches this. */
  ready: RegExp;
  /** How long to wait for the ready line. */
  timeoutMs?: number;
}

export interface StartedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The match of the ready pattern (capture groups included). */
  readonly ready: RegExpMatchArray;
  /** Everything the process printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process exits. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` to the process by its pid, escalates to SIGKILL after `graceMs`, and waits for the exit. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

// If the test runner or script dies first, do not leave a child holding a port.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
}

/** Spawns a process, waits for its ready line, and returns a handle that stops it by pid. */
export function startProcess(options: StartProcessOptions): Promise<StartedProcess> {
  installExitHook();
  const child = spawn(options.command, [...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });

  return new Promise<StartedProcess>((resolve, reject) => {
    let pending = '';
    let settled = false;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(new Error(`${options.name}: ${reason}\n--- output ---\n${output.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
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
          exited,
          stop: (signal = 'SIGTERM', graceMs = 5_000) => stopByPid(child, pid, exited, signal, graceMs),
        });
        return;
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => fail(`failed to start: ${error.message}`));
    exited.then((code) => fail(`exited with ${code} before it was ready`));
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
