// What `listen` prints of each delivery: verified (the event, the customers over budget for a
// budget alert, what the forward target answered) or refused (why). Every text the sender or the
// service wrote reaches the terminal through `table`, `usageListing` or `jsonLine`.
import type { WebhookEvent } from '@usagebudget/client';
import type { OverBudgetCustomer } from '@usagebudget/client/webhooks';
import { usageListing } from '../commands/report.js';
import { plural, type Style, type TableRow, table } from '../output.js';
import { jsonLine, terminalText } from '../terminal-text.js';
import { rowOfRecord, rowRecord, worstFirst } from '../usage-figures.js';
import type { ForwardOutcome } from './forward.js';

/** The customers a budget alert is about: read from the usage records, or why they could not be. */
export type OverBudget = { readonly customers: readonly OverBudgetCustomer[] } | { readonly error: string };

/** A verified delivery and what came of it. */
export interface VerifiedDelivery {
  readonly receivedAt: Date;
  readonly event: WebhookEvent;
  /** For `usagerecords-thresholdExceeded` (with a token). */
  readonly overBudget?: OverBudget;
  readonly forwarded?: { readonly url: string; readonly outcome: ForwardOutcome };
}

/**
 * A delivery not handled: the SDK's reason code and message (which starts with it), and the
 * status answered (200 for a replay: the event was handled when it first came).
 */
export interface RefusedDelivery {
  readonly receivedAt: Date;
  readonly status: number;
  readonly reason: string;
  readonly message: string;
}

const forwardText = ({ url, outcome }: NonNullable<VerifiedDelivery['forwarded']>) =>
  'status' in outcome ? `${url} answered ${outcome.status}` : `${url}: ${outcome.error}`;

/** A verified delivery: its event's fields, then the customers over budget, then the forward. */
export function formatVerified(delivery: VerifiedDelivery, s: Style): string {
  const { event, overBudget, forwarded } = delivery;
  const rows: TableRow[] = [
    ['Resource', event.ResourceUri ?? '-'],
    ['Changed', event.ResourceChangeUtcDate],
  ];
  if (event.AuditUri) rows.push(['Audit', event.AuditUri]);
  if (overBudget && 'error' in overBudget) rows.push(['Over budget', [`not read: ${overBudget.error}`, s.error]]);
  if (overBudget && 'customers' in overBudget) {
    rows.push(['Over budget', plural(overBudget.customers.length, 'customer')]);
  }
  const customers =
    overBudget && 'customers' in overBudget && overBudget.customers.length > 0
      ? usageListing(overBudgetRows(overBudget.customers), s).replace(/^(?=.)/gm, '  ')
      : '';
  const forward = forwarded ? table([['Forwarded', forwardText(forwarded)]], s, '  ') : '';
  const head = `${delivery.receivedAt.toISOString()}  ${s.value('verified')}  ${terminalText(event.EventName)}\n`;
  return `${head}${table(rows, s, '  ')}${customers}${forward}`;
}

/** The customers over budget as `report` shows them, worst first. */
const overBudgetRows = (customers: readonly OverBudgetCustomer[]) =>
  worstFirst(customers.map(({ record }) => rowOfRecord(record)));

/** A refused delivery, one line: the status answered, the reason code, the message. */
export function formatRefused(delivery: RefusedDelivery, s: Style): string {
  const { receivedAt, status, message } = delivery;
  const what = status === 200 ? s.warning('already handled (200)') : s.error(`refused (${status})`);
  return `${receivedAt.toISOString()}  ${what}  ${terminalText(message)}\n`;
}

/** `--json`: a line a delivery; `verified` says which kind. */
export function deliveryJson(delivery: VerifiedDelivery | RefusedDelivery): string {
  const receivedAt = delivery.receivedAt.toISOString();
  if ('reason' in delivery) {
    const { status, reason, message } = delivery;
    return jsonLine({ receivedAt, verified: false, status, reason, message });
  }
  const { event, overBudget, forwarded } = delivery;
  return jsonLine({
    receivedAt,
    verified: true,
    event,
    overBudget:
      overBudget === undefined
        ? null
        : 'customers' in overBudget
          ? overBudgetRows(overBudget.customers).map(rowRecord)
          : { error: overBudget.error },
    forwarded: forwarded ? { url: forwarded.url, ...forwarded.outcome } : null,
  });
}
