import { appendFileSync, rmSync } from 'node:fs';
import type { UsageBudgetClient } from '@usagebudget/client';
import {
  AdaptiveThrottle,
  applyBudgets,
  type BudgetEntry,
  type BudgetResult,
  type BulkProgress,
  canonicalAmount,
  readBudgets,
} from '@usagebudget/client/bulk';
import { stringify } from 'csv-stringify/sync';
import { formatAmount } from './amount.js';
import { type ApplyRow, checkInput, type InputCheck, InputError, validRows } from './apply-input.js';
import { type JournalState, JournalWriter, journalPath, readJournal } from './apply-journal.js';
import { type ProgressMode, type ProgressView, progressView } from './apply-progress.js';
import type { Invocation } from './arguments.js';
import { ExitCode } from './exit-codes.js';
import type { Style } from './output.js';
import { UsageError } from './usage-error.js';

type ApplyCall = Extract<Invocation, { kind: 'call'; command: 'apply' }>;

export interface ApplyTerminal {
  write(text: string): void;
  /** Progress and problems (stderr). */
  note(text: string): void;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** The CLI's Ctrl-C (bin/cli.ts): the run stops starting rows and lets those in flight finish. */
  interrupt?: AbortSignal;
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

/** Where the rows that failed are written, next to the input, as a file `apply` reads. */
export function failedRowsPath(inputPath: string): string {
  return inputPath.replace(/(\.csv)?$/i, '.failed.csv');
}

const FAILED_COLUMNS = ['customerId', 'budget', 'line', 'error'];

function problemsText(check: InputCheck, path: string): string {
  return check.problems.map((problem) => `${path}, line ${problem.line}: ${problem.reason}\n`).join('');
}

const shown = (amount: string | number | null | undefined) =>
  amount === undefined ? '?' : amount === null ? 'no budget' : formatAmount(Number(amount));

/**
 * `apply <file.csv>`: sets every customer's budget to the file's (an empty cell clears it), sending
 * only what changes. Checks the whole file first; reads the current budgets in as few calls as the
 * API allows; applies through the client's bulk operation (shared throttle, request ids fixed by
 * the run); keeps a journal next to the file so that a rerun continues an interrupted run; writes
 * the rows that failed to a CSV that can be applied again. Resolves to the exit code.
 */
export async function runApply(
  client: UsageBudgetClient,
  invocation: ApplyCall,
  out: ApplyTerminal,
  s: Style,
): Promise<ExitCode> {
  const { file, dryRun, skipInvalid, concurrency, settings } = invocation;
  const json = settings.json;

  let check: InputCheck;
  try {
    check = await checkInput(file);
  } catch (error) {
    if (error instanceof InputError) {
      throw new UsageError(
        `${file}${error.line === undefined ? '' : `, line ${error.line}`}: ${error.message}`,
        'apply',
      );
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${file}: no such file`, 'apply');
    throw error;
  }
  if (check.problems.length > 0) {
    // With --json, one line per bad row on stdout, as for the rows applied.
    if (json) {
      for (const { line, reason } of check.problems)
        out.write(`${JSON.stringify({ line, outcome: 'invalid', reason })}\n`);
    } else out.note(problemsText(check, file));
    if (!skipInvalid) {
      throw new UsageError(
        `${check.problems.length} invalid row(s) in ${file}; nothing was sent. Fix them, or pass --skip-invalid to apply the ${check.validRows} valid row(s)`,
        'apply',
      );
    }
  }
  const skipped = check.problems.length;

  const journalFile = journalPath(file);
  const resumed = dryRun ? undefined : await readJournal(journalFile);
  if (resumed && resumed.sha256 !== check.sha256) {
    throw new UsageError(
      `${journalFile} records an unfinished run of another version of ${file}: apply that version to finish it, or remove the journal to start anew`,
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
  const controller = new AbortController();
  // Ctrl-C once: finish what is in flight, close the journal. Ctrl-C again gets Node's default and
  // ends the process at once; the journal's lines are already written, so a rerun sends what may be
  // lost with the same request ids. SIGTERM stops gracefully, as a first Ctrl-C does.
  const onInterrupt = () => {
    if (controller.signal.aborted) return;
    if (!json)
      out.note(
        '\nusagebudget apply: stopping: the updates in flight finish, then the journal is closed (Ctrl-C again to quit now)\n',
      );
    controller.abort();
  };
  if (out.interrupt?.aborted) onInterrupt();
  out.interrupt?.addEventListener('abort', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    const toRead = [...check.customers.keys()].filter((id) => !resumed?.done.has(id));
    const current = await readBudgets(client, toRead, {
      throttle,
      signal: controller.signal,
      correlationId: settings.correlationId,
      concurrency,
    });
    if (controller.signal.aborted) return ExitCode.interrupted;
    if (dryRun) return printPlan(file, check, current, out, json, s, skipped);
    return await apply(
      client,
      invocation,
      { check, current, resumed, throttle, display, skipped },
      controller.signal,
      out,
      s,
    );
  } finally {
    out.interrupt?.removeEventListener('abort', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

async function printPlan(
  file: string,
  check: InputCheck,
  current: ReadonlyMap<string, number | null>,
  out: ApplyTerminal,
  json: boolean,
  s: Style,
  skipped: number,
): Promise<ExitCode> {
  const summary: ApplySummary = { changed: 0, cleared: 0, unchanged: 0, failed: 0, skipped, notStarted: 0 };
  if (!json) out.write(`${s.label('Customer ID                           Current       New')}\n`);
  for await (const row of validRows(file, check)) {
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
  readonly check: InputCheck;
  readonly current: ReadonlyMap<string, number | null>;
  readonly resumed: JournalState | undefined;
  readonly throttle: AdaptiveThrottle;
  readonly display: Display;
  readonly skipped: number;
}

/** The progress view and the last progress it showed, for the throttle's pause notice. */
interface Display {
  view?: ProgressView;
  latest?: BulkProgress;
}

async function apply(
  client: UsageBudgetClient,
  { file, concurrency, settings }: ApplyCall,
  { check, current, resumed, throttle, display, skipped }: ApplyPlan,
  signal: AbortSignal,
  out: ApplyTerminal,
  s: Style,
): Promise<ExitCode> {
  const json = settings.json;
  const journal = new JournalWriter(journalPath(file), resumed !== undefined);
  const runId = resumed?.runId ?? crypto.randomUUID();
  if (!resumed) journal.write({ kind: 'run', runId, sha256: check.sha256 });
  const summary: ApplySummary = { changed: 0, cleared: 0, unchanged: 0, failed: 0, skipped, notStarted: 0 };
  // What the interrupted run finished counts as this run's.
  for (const { outcome } of resumed?.done.values() ?? []) summary[outcome]++;
  const total = check.validRows - (resumed?.done.size ?? 0);
  const mode: ProgressMode = json ? 'none' : out.stderr.isTTY ? 'bar' : 'lines';
  const view = progressView(mode, total, out.stderr);
  display.view = view;
  if (resumed && !json) {
    out.note(
      `usagebudget apply: continuing the run in ${journalPath(file)}: ${resumed.done.size} row(s) done, ${total} to go\n`,
    );
  }

  const lines = new Map<string, number>();
  async function* entries(): AsyncGenerator<BudgetEntry> {
    for await (const row of validRows(file, check)) {
      if (resumed?.done.has(row.customerId)) continue;
      lines.set(row.customerId, row.line);
      // An update that may have gone out before the interruption is sent again, with its request
      // id: the service answers it as a replay, and it counts as changed, not unchanged.
      const before = resumed?.sent.has(row.customerId) ? undefined : current.get(row.customerId);
      yield entryOf(row, before);
    }
  }

  const failedFile = failedRowsPath(file);
  rmSync(failedFile, { force: true });
  let failedWritten = false;
  const writeFailed = (result: BudgetResult, line: number | undefined) => {
    const rows = [[result.entry.customerId, result.amount ?? '', line ?? '', result.error?.message ?? '']];
    appendFileSync(failedFile, stringify(failedWritten ? rows : [FAILED_COLUMNS, ...rows]));
    failedWritten = true;
  };

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
      journal.write({
        kind: 'done',
        customerId,
        amount: result.amount ?? null,
        outcome: result.outcome,
        requestId: result.requestId ?? null,
      });
      summary[result.outcome]++;
      if (result.outcome === 'failed') writeFailed(result, line);
      if (json) out.write(resultLine(result, line));
    }
    interrupted = signal.aborted;
    if (!interrupted) journal.write({ kind: 'end' });
  } finally {
    view.stop();
    journal.close();
  }
  const finished = summary.changed + summary.cleared + summary.unchanged + summary.failed;
  summary.notStarted = check.validRows - finished;
  if (json) {
    const failedRows = summary.failed > 0 ? failedFile : null;
    out.write(
      `${JSON.stringify({ summary, interrupted, resumed: resumed !== undefined, journal: journalPath(file), failedRows })}\n`,
    );
  } else {
    out.write(summaryText(summary, interrupted, s));
    if (summary.failed > 0) {
      out.note(
        `usagebudget apply: the ${summary.failed} failed row(s) are in ${failedFile}: apply it to try them again\n`,
      );
    }
    if (interrupted) {
      out.note(
        `usagebudget apply: interrupted; run the same command again to continue (journal: ${journalPath(file)})\n`,
      );
    }
  }
  if (interrupted) return ExitCode.interrupted;
  return summary.failed > 0 || summary.skipped > 0 ? ExitCode.partial : ExitCode.ok;
}

function entryOf(row: ApplyRow, current: number | null | undefined): BudgetEntry {
  return current === undefined
    ? { customerId: row.customerId, amount: row.amount }
    : { customerId: row.customerId, amount: row.amount, current };
}

/** `apply --json`: one line per row as its result comes. */
function resultLine(result: BudgetResult, line: number | undefined): string {
  return `${JSON.stringify({
    customerId: result.entry.customerId,
    line: line ?? null,
    outcome: result.outcome,
    amount: result.amount === undefined || result.amount === null ? null : Number(result.amount),
    current: result.entry.current ?? null,
    requestId: result.requestId ?? null,
    error: result.error
      ? { type: result.error.name, message: result.error.message, status: result.error.status ?? null }
      : null,
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
