// Budget alerts pushed by Partner Center instead of polled: a webhook receiver for `node:http`.
//
// When a customer's usage exceeds its budget, Partner Center POSTs a signed
// `usagerecords-thresholdExceeded` event to the partner's registered URL. The receiver verifies
// each delivery with the SDK (the signature over the exact bytes, the certificate and its chain:
// 401 otherwise; a replay is answered 200 and not handled again), and, since the event names no
// customer, reads the usage records for the customers over budget and hands them to `onAlert`.
// Other events are acknowledged and left alone. When `onAlert` throws, the answer is 500 and
// Partner Center delivers the event again.
import type { RequestListener } from 'node:http';
import type { UsageBudgetClient } from '@usagebudget/client';
import {
  type OverBudgetCustomer,
  resolveThresholdExceeded,
  THRESHOLD_EXCEEDED,
  type WebhookTrust,
  webhookHandler,
} from '@usagebudget/client/webhooks';

/** One budget alert: when usage crossed a budget, and every customer over budget now. */
export interface OverBudgetAlert {
  /** The event's `ResourceChangeUtcDate`. */
  readonly changedAt: string;
  /** Most over first. */
  readonly customers: readonly OverBudgetCustomer[];
}

export interface AlertReceiverOptions {
  /** Reads the usage records the event points to. */
  readonly client: UsageBudgetClient;
  /** Whom to trust: Partner Center by default; a test trusts its mock's root (`startMock().webhooks`). */
  readonly trust?: WebhookTrust;
  /** Called once per verified alert; answer only when it is handled (a rejection is retried). */
  onAlert(alert: OverBudgetAlert): unknown;
}

/** The request listener: `createServer(budgetAlertReceiver({ client, onAlert })).listen(8080)`. */
export function budgetAlertReceiver({ client, trust, onAlert }: AlertReceiverOptions): RequestListener {
  return webhookHandler(trust ? { trust } : {}, async (event) => {
    if (event.EventName !== THRESHOLD_EXCEEDED) return;
    const customers = await resolveThresholdExceeded(client, event);
    await onAlert({ changedAt: event.ResourceChangeUtcDate, customers });
  });
}

/** One line per customer over budget, for a chat message or an email. */
export function describeOverBudget(customer: OverBudgetCustomer): string {
  const currency = customer.currencyCode ? ` ${customer.currencyCode}` : '';
  return `${customer.name} (${customer.customerTenantId}) is over its budget: ${customer.totalCost} of ${customer.budget}${currency} (${customer.percentUsed}%).`;
}
