import { execFileSync } from 'node:child_process';
import { closeSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { openForWriting } from './regular-files.js';

/**
 * Who holds the lock of an `apply` run: what `<file>.lock` holds, as one JSON line. A lock is
 * stale, and taken over, once its holder is gone: no process of that pid on this host, or one
 * that started at another time (its pid was reused), or the machine restarted since.
 */
export interface LockHolder {
  readonly pid: number;
  /** When the process started, as the system counts it (Linux: /proc/PID/stat field 22); `null` where unknown. */
  readonly startTime: string | null;
  /** Linux's boot id: a lock from before a restart is stale, whatever its pid. */
  readonly bootId?: string | null;
  readonly host: string;
  /** When the lock was taken (ISO 8601), for messages. */
  readonly since?: string;
}

/** Another run holds the file's lock: this run refuses at once and sends nothing (exit code 8). */
export class ApplyBusyError extends Error {
  constructor(
    readonly file: string,
    readonly lockPath: string,
    readonly holder: LockHolder,
  ) {
    const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
    const who =
      holder.pid === 0
        ? 'another run, which is starting'
        : `another run (pid ${holder.pid}, started ${holder.since ?? 'at an unknown time'}${where})`;
    const stop = holder.pid === 0 ? '' : ` (Ctrl-C where it runs, or kill ${holder.pid})`;
    super(
      `${file} is being applied by ${who}: wait for it to end, or stop it${stop}, then run this again; this run sent nothing. ` +
        `If no such run exists, remove ${lockPath}`,
    );
    this.name = 'ApplyBusyError';
  }
}

/** The lock of one run, released when the run ends. */
export interface RunLock {
  readonly path: string;
  release(): void;
}

// A lock file without its holder's line yet is being written by its taker for this long at most.
const BEING_WRITTEN_MS = 10_000;
/** The holder of a lock whose line is not written yet: a run that is starting, here. */
const STARTING: LockHolder = { pid: 0, startTime: null, host: hostname() };

/** This process's start time as the system counts it, or `null` where it cannot be read. */
export function processStartTime(pid: number): string | null {
  try {
    // Linux: field 22 of /proc/PID/stat, in clock ticks since boot. The command name (field 2) may
    // hold spaces and parentheses: the fields are counted after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    // Elsewhere (macOS, the BSDs): ps(1) gives the start time to the second.
    try {
      const started = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 5000,
      }).trim();
      return started === '' ? null : started;
    } catch {
      return null;
    }
  }
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the lock's holder still runs; a holder on another host cannot be checked, and counts as running. */
function holds(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  if (!isAlive(holder.pid)) return false;
  const boot = bootId();
  if (holder.bootId && boot && holder.bootId !== boot) return false;
  if (holder.startTime !== null) {
    const started = processStartTime(holder.pid);
    if (started !== null && started !== holder.startTime) return false;
  }
  return true;
}

// What a lock's host and time may be: they are shown in the message of a refused run.
const HOST = /^[\w.-]{1,253}$/;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;

/** The holder a lock file names; `undefined` when it names none a run of apply would write. */
function parseHolder(text: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isInteger(holder.pid) || (holder.pid as number) <= 0) return undefined;
    if (typeof holder.host !== 'string' || !HOST.test(holder.host)) return undefined;
    return {
      pid: holder.pid as number,
      startTime: typeof holder.startTime === 'string' ? holder.startTime : null,
      bootId: typeof holder.bootId === 'string' ? holder.bootId : null,
      host: holder.host,
      ...(typeof holder.since === 'string' && ISO_TIME.test(holder.since) ? { since: holder.since } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock of `file`'s run: `lockPath`, created atomically (O_EXCL, never through a
 * symbolic link) with this process's pid, start time, boot id and host. A lock whose holder still
 * runs makes this throw an {@link ApplyBusyError}; a stale one (its holder gone: `kill -9`, a
 * crash, a restart) is taken over. A stale lock is moved aside before it is removed, and only if
 * it is still the one judged stale, so that two runs taking over the same stale lock cannot both
 * win.
 */
export function acquireRunLock(file: string, lockPath: string): RunLock {
  const me: LockHolder = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    bootId: bootId(),
    host: hostname(),
    since: new Date().toISOString(),
  };
  const mine = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; attempt < 10; attempt++) {
    if (created(lockPath, mine)) return { path: lockPath, release: () => release(lockPath, mine) };
    const found = readLock(lockPath);
    if (found === undefined) continue;
    const holder = parseHolder(found.text);
    if (holder && holds(holder)) throw new ApplyBusyError(file, lockPath, holder);
    // Being written by the run that just created it.
    if (!holder && found.text === '' && found.ageMs < BEING_WRITTEN_MS) {
      throw new ApplyBusyError(file, lockPath, STARTING);
    }
    const taken = moveAside(lockPath, `${lockPath}.stale-${process.pid}-${attempt}`);
    if (taken === undefined) continue;
    if (taken !== found.text) {
      // Another run took the stale lock over between the read and the move: it is that run's, put back.
      putBack(lockPath, taken);
      throw new ApplyBusyError(file, lockPath, parseHolder(taken) ?? STARTING);
    }
  }
  throw new Error(`could not take the lock ${lockPath}: it keeps changing; try again`);
}

/** Creates the lock with `line` in it; `false` when a lock is there already. */
function created(lockPath: string, line: string): boolean {
  let fd: number;
  try {
    fd = openForWriting(lockPath, 'create');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, line);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** What the lock holds and how long ago it was written; `undefined` when it is gone. */
function readLock(lockPath: string): { text: string; ageMs: number } | undefined {
  try {
    return { text: readFileSync(lockPath, 'utf8'), ageMs: Date.now() - statSync(lockPath).mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Moves a stale lock aside and removes it: what it held, or `undefined` when it was gone already. */
function moveAside(lockPath: string, aside: string): string | undefined {
  try {
    renameSync(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const taken = readFileSync(aside, 'utf8');
  unlinkSync(aside);
  return taken;
}

function putBack(lockPath: string, text: string): void {
  try {
    const back = openForWriting(lockPath, 'create');
    writeSync(back, text);
    closeSync(back);
  } catch {
    // A third run holds it now.
  }
}

/** Removes the lock if it is still this run's. */
function release(lockPath: string, mine: string): void {
  try {
    if (readFileSync(lockPath, 'utf8') === mine) unlinkSync(lockPath);
  } catch {
    // Gone already.
  }
}
