import type { BudgetResult } from '@usagebudget/client/bulk';
import type { Style } from '../output.js';
import type { RowNotApplied } from './failed-rows.js';
import type { RowProblem } from './input.js';
import type { JournalState } from './journal.js';

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

/** The result of a row, as `apply --json` prints it and the journal records it. */
export interface RowResult {
  readonly customerId: string;
  readonly line: number | null;
  readonly outcome: BudgetResult['outcome'];
  /** The amount sent (canonical decimal text), `null` to clear. */
  readonly amount: string | null;
  readonly current: number | string | null;
  readonly requestId: string | null;
  readonly error: { readonly type: string; readonly message: string; readonly status: number | null } | null;
}

/** A result of the client's bulk operation as a row's result; `line` is the row's in the file. */
export function rowResult(result: BudgetResult, line: number | undefined): RowResult {
  return {
    customerId: result.entry.customerTenantId,
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
export function resultLine(result: RowResult): string {
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

/**
 * What a run comes to: the counts of its summary, and every row not applied across every run of
 * its journal (the invalid ones, the failures of the runs it continues, and its own).
 */
export class RunTally {
  readonly summary: ApplySummary;
  readonly notApplied: RowNotApplied[];

  constructor(problems: readonly RowProblem[], resumed: JournalState | undefined) {
    this.summary = { changed: 0, cleared: 0, unchanged: 0, failed: 0, skipped: problems.length, notStarted: 0 };
    this.notApplied = problems.map(({ customerId, budget, line, reason }) => ({
      customerId,
      budget,
      line,
      error: reason,
    }));
    // What the interrupted run finished counts as this run's.
    for (const [customerId, done] of resumed?.done ?? []) {
      this.summary[done.outcome]++;
      if (done.outcome === 'failed') {
        this.notApplied.push({ customerId, budget: done.amount ?? '', line: done.line, error: done.error ?? 'failed' });
      }
    }
  }

  add(result: RowResult): void {
    this.summary[result.outcome]++;
    if (result.outcome !== 'failed') return;
    this.notApplied.push({
      customerId: result.customerId,
      budget: result.amount ?? '',
      line: result.line,
      error: result.error?.message ?? 'failed',
    });
  }

  /** Counts the rows of the file that no run finished. */
  end(validRows: number): void {
    const { changed, cleared, unchanged, failed } = this.summary;
    this.summary.notStarted = validRows - (changed + cleared + unchanged + failed);
  }
}

export function summaryText(summary: ApplySummary, interrupted: boolean, s: Style): string {
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
