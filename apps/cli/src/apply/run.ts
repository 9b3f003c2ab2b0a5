import { closeSync, realpathSync, rmSync, writeSync } from 'node:fs';
import type { TokenProvider, UsageBudgetClient } from '@usagebudget/client';
import {
  AdaptiveThrottle,
  applyBudgets,
  type BudgetEntry,
  type BudgetResult,
  type BulkProgress,
  canonicalAmount,
  readBudgets,
} from '@usagebudget/client/bulk';
import { formatAmount } from '../amount.js';
import { endpointURL, type Invocation } from '../arguments.js';
import { CommandLineError } from '../command-line-error.js';
import { ExitCode } from '../exit-codes.js';
import type { Style } from '../output.js';
import { spreadsheetCsv } from '../spreadsheet-csv.js';
import { type ApplyRow, checkInput, type InputCheck, type RowProblem, validRows } from './input.js';
import { type JournalState, JournalWriter, journalPath, readJournal } from './journal.js';
import { acquireRunLock, type RunLock } from './lock.js';
import { type ProgressMode, type ProgressView, progressView } from './progress.js';
import { checkWritable, openForWriting } from './regular-files.js';
import { checkInputPath, InputError, type Snapshot, STANDARD_INPUT, takeSnapshot } from './snapshot.js';
import { type RunTarget, runTarget } from './target.js';

type ApplyCall = Extract<Invocation, { kind: 'call'; command: 'apply' }>;

export interface ApplyTerminal {
  write(text: string): void;
  /** Progress and problems (stderr). */
  note(text: string): void;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** The CLI's Ctrl-C (bin/cli.ts): the run stops starting rows and lets those in flight finish. */
  interrupt?: AbortSignal;
  /** Standard input, for `apply -` (`process.stdin` by default). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** The counts of the summary line. */
export interface ApplySummary {
  changed: number;
  cleared: number;
  unchanged: number;
  failed: number;
  /** Invalid rows left out (`--skip-invalid`). */
  skipped: number;
  /** Rows not started because the run was interrupted. */
  notStarted: number;
}

/** Where the rows that were not applied are written, next to the input, as a file `apply` reads. */
export function failedRowsPath(inputPath: string): string {
  return inputPath.replace(/(\.csv)?$/i, '.failed.csv');
}

/** The files of a run, named after its input: the journal, the rows not applied, the lock. */
interface RunFiles {
  readonly journal: string;
  readonly failedRows: string;
  readonly lock: string;
}

function runFiles(input: string, lockTarget = input): RunFiles {
  return { journal: journalPath(input), failedRows: failedRowsPath(input), lock: `${lockTarget}.lock` };
}

/**
 * Standard input has no file to put the journal next to: its files are named after what was read
 * (`stdin-<16 hex digits of its SHA-256>.csv`), in the current folder, so that the same input
 * piped again continues its run.
 */
const standardInputName = (sha256: string) => `stdin-${sha256.slice(0, 16)}.csv`;

const FAILED_COLUMNS = ['customerId', 'budget', 'line', 'error'] as const;

/** A row that was not applied: failed, or invalid and skipped. */
interface RowNotApplied {
  readonly customerId: string;
  readonly budget: string;
  readonly line: number | null;
  readonly error: string;
}

function problemsText(problems: readonly RowProblem[], name: string): string {
  return problems.map((problem) => `${name}, line ${problem.line}: ${problem.reason}\n`).join('');
}

const shown = (amount: string | number | null | undefined) =>
  amount === undefined ? '?' : amount === null ? 'no budget' : formatAmount(Number(amount));

const isAbort = (error: unknown) => (error as Error)?.name === 'AbortError';

/**
 * `apply <file.csv>`: sets every customer's budget to the file's (an empty cell clears it), sending
 * only what changes. Reads the file once into the run's own snapshot and works from it alone;
 * checks the whole file first; lets one run of a file go at a time (its lock); reads the current
 * budgets in as few calls as the API allows; applies through the client's bulk operation (shared
 * throttle, request ids fixed by the run); keeps a journal next to the file, bound to the service
 * and the partner, so that a rerun continues an interrupted run there and nowhere else; writes
 * every row not applied to a CSV that can be applied again. Resolves to the exit code.
 */
export async function runApply(
  client: UsageBudgetClient,
  invocation: ApplyCall,
  out: ApplyTerminal,
  s: Style,
  credential: string | TokenProvider,
): Promise<ExitCode> {
  const { file, dryRun, settings } = invocation;
  const json = settings.json;
  const controller = new AbortController();
  // Ctrl-C once: finish what is in flight, close the journal. Ctrl-C again gets Node's default and
  // ends the process at once; the journal's lines are already written, so a rerun sends what may be
  // lost with the same request ids. SIGTERM stops gracefully, as a first Ctrl-C does.
  let sending = false;
  const onInterrupt = () => {
    if (controller.signal.aborted) return;
    if (!json && sending)
      out.note(
        '\nusagebudget apply: stopping: the updates in flight finish, then the journal is closed (Ctrl-C again to quit now)\n',
      );
    controller.abort();
  };
  if (out.interrupt?.aborted) onInterrupt();
  out.interrupt?.addEventListener('abort', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  let lock: RunLock | undefined;
  let snapshot: Snapshot | undefined;
  try {
    let files: RunFiles | undefined;
    if (file !== STANDARD_INPUT) {
      try {
        checkInputPath(file);
      } catch (error) {
        throw asCommandLineError(file, error);
      }
      // One run of a file at a time, whatever path names it: the lock is next to the file itself.
      files = runFiles(file, realpathSync(file));
      if (!dryRun) lock = acquireRunLock(file, files.lock);
    } else if (out.stdin?.isTTY && !json) {
      out.note('usagebudget apply: reading the budgets from standard input (end with Ctrl-D)\n');
    }
    try {
      snapshot = await takeSnapshot(file, { signal: controller.signal, ...(out.stdin ? { stdin: out.stdin } : {}) });
    } catch (error) {
      if (isAbort(error) || controller.signal.aborted) {
        if (!json) out.note('usagebudget apply: interrupted while reading the file; nothing was sent\n');
        return ExitCode.interrupted;
      }
      throw asCommandLineError(file === STANDARD_INPUT ? 'standard input' : file, error);
    }
    if (!files) {
      files = runFiles(standardInputName(snapshot.sha256));
      if (!dryRun) lock = acquireRunLock('standard input', files.lock);
    }
    sending = true;
    return await checkedRun(client, invocation, { snapshot, files, credential, controller }, out, s);
  } finally {
    await snapshot?.close();
    lock?.release();
    out.interrupt?.removeEventListener('abort', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

/** A file that cannot be read as budgets, as the usage error `apply` reports (exit code 2). */
function asCommandLineError(name: string, error: unknown): unknown {
  if (!(error instanceof InputError)) return error;
  return new CommandLineError(
    `${name}${error.line === undefined ? '' : `, line ${error.line}`}: ${error.message}`,
    'apply',
  );
}

/** What a run has once its input is read. */
interface RunInput {
  readonly snapshot: Snapshot;
  readonly files: RunFiles;
  readonly credential: string | TokenProvider;
  readonly controller: AbortController;
}

async function checkedRun(
  client: UsageBudgetClient,
  invocation: ApplyCall,
  { snapshot, files, credential, controller }: RunInput,
  out: ApplyTerminal,
  s: Style,
): Promise<ExitCode> {
  const { dryRun, skipInvalid, concurrency, settings } = invocation;
  const json = settings.json;
  const name = snapshot.name;
  let check: InputCheck;
  try {
    check = await checkInput(snapshot);
  } catch (error) {
    throw asCommandLineError(name, error);
  }
  if (check.problems.length > 0) {
    // With --json, one line per bad row on stdout, as for the rows applied.
    if (json) {
      for (const { line, reason } of check.problems)
        out.write(`${JSON.stringify({ line, outcome: 'invalid', reason })}\n`);
    } else out.note(problemsText(check.problems, name));
    if (!skipInvalid) {
      throw new CommandLineError(
        `${check.problems.length} invalid row(s) in ${name}; nothing was sent. Fix them, or pass --skip-invalid to apply the ${check.validRows} valid row(s)`,
        'apply',
      );
    }
  }

  // What the run will write must be its own regular files: refused now, before anything is sent.
  if (!dryRun) checkWritable(files.failedRows);
  const resumed = dryRun ? undefined : await readJournal(files.journal);
  if (resumed && resumed.sha256 !== check.sha256) {
    throw new CommandLineError(
      `${files.journal} records an unfinished run of another version of ${name}: apply that version to finish it, or remove the journal to start anew`,
      'apply',
    );
  }

  // The throttle is shared by the reads and the writes: they draw on one limit. A pause shows at
  // once, not with the next result.
  const display: Display = {};
  const throttle = new AdaptiveThrottle({
    onPause: (resumesAt) => {
      if (display.latest) display.view?.update({ ...display.latest, resumesAt, throttled: throttle.state.throttled });
    },
  });
  const signal = controller.signal;
  const callOptions = { throttle, signal, correlationId: settings.correlationId };
  const target = dryRun
    ? undefined
    : await runTarget(client, endpointURL(settings.endpoint), credential, callOptions).catch((error) => {
        if (signal.aborted) return undefined;
        throw error;
      });
  if (signal.aborted) return ExitCode.interrupted;
  if (resumed && target) refuseAnotherTarget(files.journal, resumed, target);

  const toRead = [...check.customers.keys()].filter((id) => !resumed?.done.has(id));
  const current = await readBudgets(client, toRead, { ...callOptions, concurrency });
  if (signal.aborted) return ExitCode.interrupted;
  if (dryRun || !target) return printPlan(snapshot, check, current, out, json, s);
  return await apply(
    client,
    invocation,
    { snapshot, files, check, current, resumed, target, throttle, display },
    signal,
    out,
    s,
  );
}

/** A run continues only against the service, and for the partner, it started with. */
function refuseAnotherTarget(journal: string, resumed: JournalState, target: RunTarget): void {
  const startOver = `to start over against ${target.service} for partner ${target.partner}, remove ${journal} (what it records as sent stays applied where it was sent)`;
  if (resumed.service === undefined || resumed.partner === undefined) {
    throw new CommandLineError(
      `${journal} records an unfinished run of an earlier usagebudget, which did not record its service and partner: finish it with that version, or ${startOver}`,
      'apply',
    );
  }
  if (resumed.service !== target.service) {
    throw new CommandLineError(
      `${journal} records an unfinished run against ${resumed.service}, not ${target.service}: to finish it, run the same command with --base-url ${resumed.service} (or its --cloud) and a token of partner ${resumed.partner}; ${startOver}`,
      'apply',
    );
  }
  if (resumed.partner !== target.partner) {
    throw new CommandLineError(
      `${journal} records an unfinished run for partner ${resumed.partner}, not ${target.partner} (the partner of this token): to finish it, run the same command with a token of partner ${resumed.partner}; ${startOver}`,
      'apply',
    );
  }
}

async function printPlan(
  snapshot: Snapshot,
  check: InputCheck,
  current: ReadonlyMap<string, number | null>,
  out: ApplyTerminal,
  json: boolean,
  s: Style,
): Promise<ExitCode> {
  const skipped = check.problems.length;
  const summary: ApplySummary = { changed: 0, cleared: 0, unchanged: 0, failed: 0, skipped, notStarted: 0 };
  if (!json) out.write(`${s.label('Customer ID                           Current       New')}\n`);
  for await (const row of validRows(snapshot, check)) {
    const before = current.get(row.customerId);
    const same = before !== undefined && canonicalAmount(before) === canonicalAmount(row.amount);
    const action = same ? 'unchanged' : row.amount === null ? 'clear' : 'set';
    if (same) summary.unchanged++;
    else if (row.amount === null) summary.cleared++;
    else summary.changed++;
    if (json) {
      out.write(
        `${JSON.stringify({ customerId: row.customerId, line: row.line, action, current: before ?? null, new: row.amount === null ? null : Number(row.amount) })}\n`,
      );
    } else if (!same) {
      out.write(`${row.customerId}  ${shown(before).padStart(12)}  ${shown(row.amount).padStart(12)}\n`);
    }
  }
  const line = `dry run: ${summary.changed} to change, ${summary.cleared} to clear, ${summary.unchanged} unchanged, ${skipped} skipped; nothing was sent`;
  out.write(json ? `${JSON.stringify({ dryRun: true, ...summary })}\n` : `${line}\n`);
  return ExitCode.ok;
}

/** What the apply step needs from the steps before it. */
interface ApplyPlan {
  readonly snapshot: Snapshot;
  readonly files: RunFiles;
  readonly check: InputCheck;
  readonly current: ReadonlyMap<string, number | null>;
  readonly resumed: JournalState | undefined;
  readonly target: RunTarget;
  readonly throttle: AdaptiveThrottle;
  readonly display: Display;
}

/** The progress view and the last progress it showed, for the throttle's pause notice. */
interface Display {
  view?: ProgressView;
  latest?: BulkProgress;
}

/**
 * What becomes of a row the interrupted run may have sent without its answer: `confirmed` when
 * the customer's budget is now the row's (the update went through: it is not sent again, whether
 * or not the service still remembers its request id); `unreadable` when its budget could not be
 * read (sending blind could apply it twice: it is left for the failed rows); `resend` otherwise.
 */
function sentRowFate(
  resumed: JournalState | undefined,
  current: ReadonlyMap<string, number | null>,
  customerId: string,
): 'confirmed' | 'unreadable' | 'resend' | undefined {
  const sent = resumed?.sent.get(customerId);
  if (!sent) return undefined;
  if (!current.has(customerId)) return 'unreadable';
  return canonicalAmount(current.get(customerId)) === canonicalAmount(sent.amount) ? 'confirmed' : 'resend';
}

const UNREADABLE =
  'its update may have reached the service before the run was interrupted, and its current budget could not be read to tell: apply it again once it can be read';

async function apply(
  client: UsageBudgetClient,
  { concurrency, settings }: ApplyCall,
  { snapshot, files, check, current, resumed, target, throttle, display }: ApplyPlan,
  signal: AbortSignal,
  out: ApplyTerminal,
  s: Style,
): Promise<ExitCode> {
  const json = settings.json;
  const journal = new JournalWriter(files.journal, resumed !== undefined);
  const runId = resumed?.runId ?? crypto.randomUUID();
  if (!resumed) journal.write({ kind: 'run', runId, sha256: check.sha256, ...target });
  const summary: ApplySummary = {
    changed: 0,
    cleared: 0,
    unchanged: 0,
    failed: 0,
    skipped: check.problems.length,
    notStarted: 0,
  };
  // Every row not applied, across every run of this journal: the invalid ones, the interrupted
  // run's failures, and this run's.
  const notApplied: RowNotApplied[] = check.problems.map(({ customerId, budget, line, reason }) => ({
    customerId,
    budget,
    line,
    error: reason,
  }));
  // What the interrupted run finished counts as this run's.
  for (const [customerId, done] of resumed?.done ?? []) {
    summary[done.outcome]++;
    if (done.outcome === 'failed') {
      notApplied.push({ customerId, budget: done.amount ?? '', line: done.line, error: done.error ?? 'failed' });
    }
  }
  // Rows settled without a request: the updates that went through before the interruption.
  let settledHere = 0;
  for (const customerId of resumed?.sent.keys() ?? []) {
    const fate = check.customers.has(customerId) ? sentRowFate(resumed, current, customerId) : undefined;
    if (fate === 'confirmed' || fate === 'unreadable') settledHere++;
  }
  const total = check.validRows - (resumed?.done.size ?? 0) - settledHere;
  const mode: ProgressMode = json ? 'none' : out.stderr.isTTY ? 'bar' : 'lines';
  const view = progressView(mode, total, out.stderr);
  display.view = view;
  if (resumed && !json) {
    out.note(
      `usagebudget apply: continuing the run in ${files.journal}: ${resumed.done.size} row(s) done, ${total + settledHere} to go\n`,
    );
  }

  const record = (result: RowResult) => {
    journal.write({
      kind: 'done',
      customerId: result.customerId,
      amount: result.amount,
      outcome: result.outcome,
      requestId: result.requestId,
      line: result.line,
      error: result.error?.message ?? null,
    });
    summary[result.outcome]++;
    if (result.outcome === 'failed') {
      notApplied.push({
        customerId: result.customerId,
        budget: result.amount ?? '',
        line: result.line,
        error: result.error?.message ?? 'failed',
      });
    }
    if (json) out.write(resultLine(result));
  };

  const lines = new Map<string, number>();
  async function* entries(): AsyncGenerator<BudgetEntry> {
    for await (const row of validRows(snapshot, check)) {
      if (resumed?.done.has(row.customerId)) continue;
      const fate = sentRowFate(resumed, current, row.customerId);
      const before = current.get(row.customerId);
      if (fate === 'confirmed' || fate === 'unreadable') {
        const amount = canonicalAmount(row.amount) ?? null;
        record({
          customerId: row.customerId,
          line: row.line,
          outcome: fate === 'unreadable' ? 'failed' : amount === null ? 'cleared' : 'changed',
          amount,
          current: before ?? null,
          requestId: resumed?.sent.get(row.customerId)?.requestId ?? null,
          error: fate === 'unreadable' ? { type: 'UnknownOutcome', message: UNREADABLE, status: null } : null,
        });
        continue;
      }
      lines.set(row.customerId, row.line);
      // An update that may have gone out before the interruption, and is not the budget now, is
      // sent again with its request id: a service that still remembers it answers it as a replay.
      yield entryOf(row, fate === 'resend' ? undefined : before);
    }
  }

  let interrupted = false;
  try {
    const run = applyBudgets(client, entries(), {
      runId,
      concurrency,
      throttle,
      signal,
      correlationId: settings.correlationId,
      onSend: (entry, requestId) =>
        journal.write({
          kind: 'send',
          customerId: entry.customerId,
          amount: canonicalAmount(entry.amount) ?? null,
          requestId,
        }),
      onProgress: (progress) => {
        display.latest = progress;
        view.update(progress);
      },
    });
    for await (const result of run) {
      const customerId = result.entry.customerId;
      const line = lines.get(customerId);
      lines.delete(customerId);
      record(rowResult(result, line));
    }
    interrupted = signal.aborted;
    if (!interrupted) journal.write({ kind: 'end' });
  } finally {
    view.stop();
    journal.close();
    writeRowsNotApplied(files.failedRows, notApplied);
  }
  const finished = summary.changed + summary.cleared + summary.unchanged + summary.failed;
  summary.notStarted = check.validRows - finished;
  const failedRows = notApplied.length > 0 ? files.failedRows : null;
  if (json) {
    out.write(
      `${JSON.stringify({ summary, interrupted, resumed: resumed !== undefined, journal: files.journal, failedRows })}\n`,
    );
  } else {
    out.write(summaryText(summary, interrupted, s));
    if (failedRows) {
      const what = [
        summary.failed > 0 ? `${summary.failed} failed` : '',
        summary.skipped > 0 ? `${summary.skipped} skipped as invalid` : '',
      ]
        .filter(Boolean)
        .join(', ');
      out.note(
        `usagebudget apply: the ${notApplied.length} row(s) not applied (${what}) are in ${failedRows}, each with why: fix what is invalid, then apply it to try them again\n`,
      );
    }
    if (interrupted) {
      out.note(`usagebudget apply: interrupted; run the same command again to continue (journal: ${files.journal})\n`);
    }
  }
  if (interrupted) return ExitCode.interrupted;
  return summary.failed > 0 || summary.skipped > 0 ? ExitCode.partial : ExitCode.ok;
}

/**
 * The rows not applied, by line, as a CSV `apply` reads (`customerId,budget,line,error`), safe to
 * open in a spreadsheet: the reasons hold the service's text. No file when every row was applied.
 */
function writeRowsNotApplied(path: string, rows: readonly RowNotApplied[]): void {
  if (rows.length === 0) {
    rmSync(path, { force: true });
    return;
  }
  const sorted = [...rows].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  const fd = openForWriting(path, 'replace');
  try {
    writeSync(fd, spreadsheetCsv(FAILED_COLUMNS, sorted));
  } finally {
    closeSync(fd);
  }
}

function entryOf(row: ApplyRow, current: number | null | undefined): BudgetEntry {
  return current === undefined
    ? { customerId: row.customerId, amount: row.amount }
    : { customerId: row.customerId, amount: row.amount, current };
}

/** The result of a row, as `apply --json` prints it and the journal records it. */
interface RowResult {
  readonly customerId: string;
  readonly line: number | null;
  readonly outcome: BudgetResult['outcome'];
  /** The amount sent (canonical decimal text), `null` to clear. */
  readonly amount: string | null;
  readonly current: number | string | null;
  readonly requestId: string | null;
  readonly error: { readonly type: string; readonly message: string; readonly status: number | null } | null;
}

function rowResult(result: BudgetResult, line: number | undefined): RowResult {
  return {
    customerId: result.entry.customerId,
    line: line ?? null,
    outcome: result.outcome,
    amount: result.amount ?? null,
    current: result.entry.current ?? null,
    requestId: result.requestId ?? null,
    error: result.error
      ? { type: result.error.name, message: result.error.message, status: result.error.status ?? null }
      : null,
  };
}

/** `apply --json`: one line per row as its result comes. */
function resultLine(result: RowResult): string {
  return `${JSON.stringify({
    customerId: result.customerId,
    line: result.line,
    outcome: result.outcome,
    amount: result.amount === null ? null : Number(result.amount),
    current: result.current,
    requestId: result.requestId,
    error: result.error,
  })}\n`;
}

function summaryText(summary: ApplySummary, interrupted: boolean, s: Style): string {
  const parts = [
    `${summary.changed} changed`,
    `${summary.unchanged} unchanged`,
    `${summary.cleared} cleared`,
    summary.failed > 0 ? s.error(`${summary.failed} failed`) : '0 failed',
    `${summary.skipped} skipped`,
  ];
  if (interrupted) parts.push(`${summary.notStarted} not started`);
  return `${parts.join(', ')}\n`;
}
