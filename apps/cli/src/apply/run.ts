import { realpathSync } from 'node:fs';
import type { CallOptions } from '@usagebudget/client';
import { AdaptiveThrottle, readBudgets } from '@usagebudget/client/bulk';
import { CommandLineError } from '../command-line/error.js';
import { type CommandLineSettings, endpointURL } from '../command-line/settings.js';
import type { Call, CommandContext } from '../commands/command.js';
import type { Connection } from '../connection.js';
import { ExitCode } from '../exit-codes.js';
import { checkInput, type InputCheck, type RowProblem } from './input.js';
import { readJournal } from './journal.js';
import { acquireRunLock, type RunLock } from './lock.js';
import { printPlan } from './plan.js';
import { checkWritable } from './regular-files.js';
import { refuseAnotherTarget, refuseAnotherVersion } from './resume.js';
import { type RunFiles, runFiles, standardInputName } from './run-files.js';
import { type Display, sendChanges } from './send.js';
import { checkInputPath, InputError, type Snapshot, STANDARD_INPUT, takeSnapshot } from './snapshot.js';
import { type RunTarget, runTarget } from './target.js';

/** What `apply` reads from its command line. */
export interface ApplyArguments {
  readonly file: string;
  readonly dryRun: boolean;
  readonly skipInvalid: boolean;
  readonly concurrency: number;
}

export type ApplyCall = Call<'apply', ApplyArguments>;

/**
 * `apply <file.csv>`: sets every customer's budget to the file's (an empty cell clears it), sending
 * only what changes. Reads the file once into the run's own snapshot and works from it alone;
 * checks the whole file first; lets one run of a file go at a time (its lock); reads the current
 * budgets in as few calls as the API allows; applies through the client's bulk operation (shared
 * throttle, request ids fixed by the run); keeps a journal next to the file, bound to the service
 * and the partner, so that a rerun continues an interrupted run there and nowhere else; writes
 * every row not applied to a CSV that can be applied again. Resolves to the exit code.
 */
export async function runApply(connection: Connection, call: ApplyCall, io: CommandContext): Promise<ExitCode> {
  // Ctrl-C or SIGTERM (`io.interrupt`): nothing new starts, the updates in flight finish, the
  // journal is closed. A Ctrl-C after that ends the process at once (cli.ts); the journal's lines
  // are already written, so a rerun sends what may be lost with the same request ids.
  let sending = false;
  const onInterrupt = () => {
    if (!call.settings.json && sending)
      io.note(
        '\nusagebudget apply: stopping: the updates in flight finish, then the journal is closed (Ctrl-C again to quit now)\n',
      );
  };
  io.interrupt.addEventListener('abort', onInterrupt, { once: true });
  let input: RunInput | undefined;
  try {
    input = await openInput(call, io);
    if (!input) return ExitCode.interrupted;
    sending = true;
    return await checkedRun(connection, call, input, io);
  } finally {
    await input?.close();
    io.interrupt.removeEventListener('abort', onInterrupt);
  }
}

/** What a run has once its input is read: its snapshot, the files named after it, and its lock. */
interface RunInput {
  readonly snapshot: Snapshot;
  readonly files: RunFiles;
  /** Removes the snapshot and releases the lock. */
  close(): Promise<void>;
}

/**
 * The run's input: the file checked, its lock taken (one run of a file at a time, whatever path
 * names it: the lock is next to the file itself; a dry run takes none), and its snapshot read.
 * `undefined` when interrupted while reading.
 */
async function openInput({ file, dryRun, settings }: ApplyCall, io: CommandContext): Promise<RunInput | undefined> {
  let files: RunFiles | undefined;
  let lock: RunLock | undefined;
  if (file !== STANDARD_INPUT) {
    try {
      checkInputPath(file);
    } catch (error) {
      throw asCommandLineError(file, error);
    }
    files = runFiles(file, realpathSync(file));
    if (!dryRun) lock = acquireRunLock(file, files.lock);
  } else if (io.stdin.isTTY && !settings.json) {
    io.note('usagebudget apply: reading the budgets from standard input (end with Ctrl-D)\n');
  }
  let snapshot: Snapshot;
  try {
    snapshot = await takeSnapshot(file, { signal: io.interrupt, stdin: io.stdin });
  } catch (error) {
    lock?.release();
    if ((error as Error)?.name === 'AbortError' || io.interrupt.aborted) {
      if (!settings.json) io.note('usagebudget apply: interrupted while reading the file; nothing was sent\n');
      return undefined;
    }
    throw asCommandLineError(file === STANDARD_INPUT ? 'standard input' : file, error);
  }
  const close = async () => {
    await snapshot.close();
    lock?.release();
  };
  if (!files) {
    files = runFiles(standardInputName(snapshot.sha256));
    if (!dryRun) lock = await lockOrClose(files.lock, close);
  }
  return { snapshot, files, close };
}

/** The lock of a run of standard input, taken once it is read (its files are named after what was read). */
async function lockOrClose(lockPath: string, close: () => Promise<void>): Promise<RunLock> {
  try {
    return acquireRunLock('standard input', lockPath);
  } catch (error) {
    await close();
    throw error;
  }
}

/** A file that cannot be read as budgets, as the command-line error `apply` reports (exit code 2). */
function asCommandLineError(name: string, error: unknown): unknown {
  if (!(error instanceof InputError)) return error;
  return new CommandLineError(
    `${name}${error.line === undefined ? '' : `, line ${error.line}`}: ${error.message}`,
    'apply',
  );
}

/**
 * The steps between the input and the updates: the rows checked; the journal of an unfinished run
 * (of this version of the file); the run's target; the current budgets. Then the plan of a dry
 * run, or the updates.
 */
async function checkedRun(
  connection: Connection,
  call: ApplyCall,
  { snapshot, files }: RunInput,
  io: CommandContext,
): Promise<ExitCode> {
  const { dryRun, concurrency, settings } = call;
  const check = await checkedRows(snapshot, call, io);
  // What the run will write must be its own regular files: refused now, before anything is sent.
  if (!dryRun) checkWritable(files.failedRows);
  const resumed = dryRun ? undefined : await readJournal(files.journal);
  if (resumed) refuseAnotherVersion(files.journal, resumed, check.sha256, snapshot.name);

  const display: Display = {};
  const throttle = pausingThrottle(display);
  const signal = io.interrupt;
  const callOptions = { throttle, signal, correlationId: settings.correlationId };
  const target = dryRun ? undefined : await targetOf(connection, settings, callOptions);
  if (signal.aborted) return ExitCode.interrupted;
  if (resumed && target) refuseAnotherTarget(files.journal, resumed, target);

  const toRead = [...check.customers.keys()].filter((id) => !resumed?.done.has(id));
  const current = await readBudgets(connection.client, toRead, { ...callOptions, concurrency });
  if (signal.aborted) return ExitCode.interrupted;
  if (dryRun || !target) return printPlan(snapshot, check, current, io.write, settings.json, io.style);
  const plan = { snapshot, files, check, current, resumed, target, throttle, display, concurrency };
  return await sendChanges(
    connection.client,
    { ...plan, correlationId: settings.correlationId },
    signal,
    io,
    settings.json,
  );
}

/**
 * The first pass over the snapshot: each bad row reported with its line (with `--json`, one line
 * each on stdout, as for the rows applied); any is the end of the run unless `--skip-invalid`.
 */
async function checkedRows(snapshot: Snapshot, { skipInvalid, settings }: ApplyCall, io: CommandContext) {
  let check: InputCheck;
  try {
    check = await checkInput(snapshot);
  } catch (error) {
    throw asCommandLineError(snapshot.name, error);
  }
  if (check.problems.length === 0) return check;
  if (settings.json) {
    for (const { line, reason } of check.problems)
      io.write(`${JSON.stringify({ line, outcome: 'invalid', reason })}\n`);
  } else io.note(problemsText(check.problems, snapshot.name));
  if (!skipInvalid) {
    throw new CommandLineError(
      `${check.problems.length} invalid row(s) in ${snapshot.name}; nothing was sent. Fix them, or pass --skip-invalid to apply the ${check.validRows} valid row(s)`,
      'apply',
    );
  }
  return check;
}

function problemsText(problems: readonly RowProblem[], name: string): string {
  return problems.map((problem) => `${name}, line ${problem.line}: ${problem.reason}\n`).join('');
}

/**
 * The throttle the reads and the writes share (they draw on one limit); a pause shows at once,
 * not with the next result.
 */
function pausingThrottle(display: Display): AdaptiveThrottle {
  const throttle = new AdaptiveThrottle({
    onPause: (resumesAt) => {
      if (display.latest) display.view?.update({ ...display.latest, resumesAt, throttled: throttle.state.throttled });
    },
  });
  return throttle;
}

/** Whose budgets the run sets, and where (see `target.ts`); `undefined` once interrupted. */
async function targetOf(
  { client, credential }: Connection,
  settings: CommandLineSettings,
  options: CallOptions & { signal: AbortSignal },
): Promise<RunTarget | undefined> {
  try {
    return await runTarget(client, endpointURL(settings.endpoint), credential, options);
  } catch (error) {
    if (options.signal.aborted) return undefined;
    throw error;
  }
}
