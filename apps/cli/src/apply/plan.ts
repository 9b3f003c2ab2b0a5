import { canonicalAmount } from '@usagebudget/client/bulk';
import { formatAmount } from '../amount.js';
import { ExitCode } from '../exit-codes.js';
import type { Style } from '../output.js';
import { type InputCheck, validRows } from './input.js';
import type { ApplySummary } from './results.js';
import type { Snapshot } from './snapshot.js';

const shown = (amount: string | number | null | undefined) =>
  amount === undefined ? '?' : amount === null ? 'no budget' : formatAmount(Number(amount));

/** `apply --dry-run`: each row's customer, current budget and new one, then the counts; nothing is sent. */
export async function printPlan(
  snapshot: Snapshot,
  check: InputCheck,
  current: ReadonlyMap<string, number | null>,
  write: (text: string) => void,
  json: boolean,
  s: Style,
): Promise<ExitCode> {
  const skipped = check.problems.length;
  const summary: ApplySummary = { changed: 0, cleared: 0, unchanged: 0, failed: 0, skipped, notStarted: 0 };
  if (!json) write(`${s.label('Customer ID                           Current       New')}\n`);
  for await (const row of validRows(snapshot, check)) {
    const before = current.get(row.customerId);
    const same = before !== undefined && canonicalAmount(before) === canonicalAmount(row.amount);
    const action = same ? 'unchanged' : row.amount === null ? 'clear' : 'set';
    if (same) summary.unchanged++;
    else if (row.amount === null) summary.cleared++;
    else summary.changed++;
    if (json) {
      write(
        `${JSON.stringify({ customerId: row.customerId, line: row.line, action, current: before ?? null, new: row.amount === null ? null : Number(row.amount) })}\n`,
      );
    } else if (!same) {
      write(`${row.customerId}  ${shown(before).padStart(12)}  ${shown(row.amount).padStart(12)}\n`);
    }
  }
  const line = `dry run: ${summary.changed} to change, ${summary.cleared} to clear, ${summary.unchanged} unchanged, ${skipped} skipped; nothing was sent`;
  write(json ? `${JSON.stringify({ dryRun: true, ...summary })}\n` : `${line}\n`);
  return ExitCode.ok;
}
