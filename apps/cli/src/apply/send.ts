import type { UsageBudgetClient } from '@usagebudget/client';
import {
  type AdaptiveThrottle,
  applyBudgets,
  type BudgetEntry,
  type BulkProgress,
  canonicalAmount,
} from '@usagebudget/client/bulk';
import type { CommandContext } from '../commands/command.js';
import { ExitCode } from '../exit-codes.js';
import { writeRowsNotApplied } from './failed-rows.js';
import { type ApplyRow, type InputCheck, validRows } from './input.js';
import { type JournalState, JournalWriter } from './journal.js';
import { type ProgressView, progressView } from './progress.js';
import { type RowResult, RunTally, resultLine, rowResult, summaryText } from './results.js';
import { sentRowFate, settledWithoutRequest, UNREADABLE } from './resume.js';
import type { RunFiles } from './run-files.js';
import type { Snapshot } from './snapshot.js';
import type { RunTarget } from './target.js';

/** What sending needs from the steps before it. */
export interface SendPlan {
  readonly snapshot: Snapshot;
  readonly files: RunFiles;
  readonly check: InputCheck;
  readonly current: ReadonlyMap<string, number | null>;
  readonly resumed: JournalState | undefined;
  readonly target: RunTarget;
  readonly throttle: AdaptiveThrottle;
  readonly display: Display;
  readonly concurrency: number;
  readonly correlationId: string | undefined;
}

/** The progress view and the last progress it showed, for the throttle's pause notice. */
export interface Display {
  view?: ProgressView;
  latest?: BulkProgress;
}

/**
 * Applies the plan through the client's bulk operation: every row the journal does not record as
 * done, each journaled before it is sent and when its result comes, with its progress shown; then
 * the rows not applied written out, and the summary. Resolves to the exit code.
 */
export async function sendChanges(
  client: UsageBudgetClient,
  plan: SendPlan,
  signal: AbortSignal,
  io: CommandContext,
  json: boolean,
): Promise<ExitCode> {
  const { files, check, resumed, current } = plan;
  const journal = new JournalWriter(files.journal, resumed !== undefined);
  const runId = resumed?.runId ?? crypto.randomUUID();
  if (!resumed) journal.write({ kind: 'run', runId, sha256: check.sha256, ...plan.target });
  const tally = new RunTally(check.problems, resumed);
  // Rows settled without a request: the updates that went through before the interruption.
  const settledHere = settledWithoutRequest(resumed, current, check.customers);
  const total = check.validRows - (resumed?.done.size ?? 0) - settledHere;
  const view = progressView(json ? 'none' : io.stderr.isTTY ? 'bar' : 'lines', total, io.stderr);
  plan.display.view = view;
  if (resumed && !json) {
    io.note(
      `usagebudget apply: continuing the run in ${files.journal}: ${resumed.done.size} row(s) done, ${total + settledHere} to go\n`,
    );
  }
  const record = (result: RowResult) => {
    const { customerId, amount, outcome, requestId, line } = result;
    journal.write({ kind: 'done', customerId, amount, outcome, requestId, line, error: result.error?.message ?? null });
    tally.add(result);
    if (json) io.write(resultLine(result));
  };
  let interrupted = false;
  try {
    await sendRows(client, plan, { runId, signal, journal, record, view });
    interrupted = signal.aborted;
    if (!interrupted) journal.write({ kind: 'end' });
  } finally {
    view.stop();
    journal.close();
    writeRowsNotApplied(files.failedRows, tally.notApplied);
  }
  tally.end(check.validRows);
  return reportRun(tally, interrupted, plan, io, json);
}

/** What the bulk operation reports to, as a run goes. */
interface SendRun {
  readonly runId: string;
  readonly signal: AbortSignal;
  readonly journal: JournalWriter;
  record(result: RowResult): void;
  readonly view: ProgressView;
}

async function sendRows(client: UsageBudgetClient, plan: SendPlan, run: SendRun): Promise<void> {
  const { journal, view } = run;
  // The line of each row sent, to report its result by.
  const lines = new Map<string, number>();
  const results = applyBudgets(client, pendingEntries(plan, lines, run.record), {
    runId: run.runId,
    concurrency: plan.concurrency,
    throttle: plan.throttle,
    signal: run.signal,
    correlationId: plan.correlationId,
    onSend: (entry, requestId) =>
      journal.write({
        kind: 'send',
        customerId: entry.customerTenantId,
        amount: canonicalAmount(entry.amount) ?? null,
        requestId,
      }),
    onProgress: (progress) => {
      plan.display.latest = progress;
      view.update(progress);
    },
  });
  for await (const result of results) {
    const customerId = result.entry.customerTenantId;
    const line = lines.get(customerId);
    lines.delete(customerId);
    run.record(rowResult(result, line));
  }
}

/**
 * The rows to send, streamed in file order: those the journal records as done are left out, and
 * those the interrupted run may have sent are settled by the customer's budget now, without a
 * request, where it tells (recorded as they pass).
 */
async function* pendingEntries(
  { snapshot, check, resumed, current }: SendPlan,
  lines: Map<string, number>,
  record: (result: RowResult) => void,
): AsyncGenerator<BudgetEntry> {
  for await (const row of validRows(snapshot, check)) {
    if (resumed?.done.has(row.customerId)) continue;
    const fate = sentRowFate(resumed, current, row.customerId);
    const before = current.get(row.customerId);
    if (fate === 'confirmed' || fate === 'unreadable') {
      record(settledResult(row, fate, before, resumed));
      continue;
    }
    lines.set(row.customerId, row.line);
    // An update that may have gone out before the interruption, and is not the budget now, is
    // sent again with its request id: a service that still remembers it answers it as a replay.
    yield entryOf(row, fate === 'resend' ? undefined : before);
  }
}

/** The result of a row the interrupted run may have sent, settled without a request. */
function settledResult(
  row: ApplyRow,
  fate: 'confirmed' | 'unreadable',
  before: number | null | undefined,
  resumed: JournalState | undefined,
): RowResult {
  const amount = canonicalAmount(row.amount) ?? null;
  return {
    customerId: row.customerId,
    line: row.line,
    outcome: fate === 'unreadable' ? 'failed' : amount === null ? 'cleared' : 'changed',
    amount,
    current: before ?? null,
    requestId: resumed?.sent.get(row.customerId)?.requestId ?? null,
    error: fate === 'unreadable' ? { type: 'UnknownOutcome', message: UNREADABLE, status: null } : null,
  };
}

function entryOf(row: ApplyRow, current: number | null | undefined): BudgetEntry {
  return current === undefined
    ? { customerTenantId: row.customerId, amount: row.amount }
    : { customerTenantId: row.customerId, amount: row.amount, current };
}

/** The summary (a JSON line with `--json`), where the rows not applied are, and the exit code. */
function reportRun(
  { summary, notApplied }: RunTally,
  interrupted: boolean,
  { resumed, files }: SendPlan,
  io: CommandContext,
  json: boolean,
): ExitCode {
  const failedRows = notApplied.length > 0 ? files.failedRows : null;
  if (json) {
    io.write(
      `${JSON.stringify({ summary, interrupted, resumed: resumed !== undefined, journal: files.journal, failedRows })}\n`,
    );
  } else {
    io.write(summaryText(summary, interrupted, io.style));
    if (failedRows) {
      const what = [
        summary.failed > 0 ? `${summary.failed} failed` : '',
        summary.skipped > 0 ? `${summary.skipped} skipped as invalid` : '',
      ]
        .filter(Boolean)
        .join(', ');
      io.note(
        `usagebudget apply: the ${notApplied.length} row(s) not applied (${what}) are in ${failedRows}, each with why: fix what is invalid, then apply it to try them again\n`,
      );
    }
    if (interrupted) {
      io.note(`usagebudget apply: interrupted; run the same command again to continue (journal: ${files.journal})\n`);
    }
  }
  if (interrupted) return ExitCode.interrupted;
  return summary.failed > 0 || summary.skipped > 0 ? ExitCode.partial : ExitCode.ok;
}
