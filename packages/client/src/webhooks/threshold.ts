import { compareDecimals, plainDecimal } from '@usagebudget/openapi/rules';
import type { CallOptions, CustomerMonthlyUsageRecord, Decimal, UsageBudgetClient, WebhookEvent } from '../index.js';

/** The event a customer going over its budget raises. */
export const THRESHOLD_EXCEEDED = 'usagerecords-thresholdExceeded';

/** A customer over its budget, from its usage record. */
export interface OverBudgetCustomer {
  /** The customer's tenant ID (the record's `resourceId`). */
  readonly customerTenantId: string;
  /** The customer's name (the record's `resourceName`). */
  readonly name: string;
  /** The estimated cost this billing period, every digit kept. */
  readonly totalCost: Decimal;
  /** The budget it exceeds, in the same currency. */
  readonly budget: number;
  /** 100 × cost ÷ budget as the service computed it. */
  readonly percentUsed: number;
  readonly currencyCode?: string | undefined;
  /** The whole record. */
  readonly record: CustomerMonthlyUsageRecord;
}

/** Whether the record's cost exceeds its budget, exactly: `totalCost > budget.amount`, a budget present. */
function isOverBudget(record: CustomerMonthlyUsageRecord): boolean {
  const amount = record.budget?.amount;
  if (typeof amount !== 'number' || !Number.isFinite(amount)) return false;
  return compareDecimals(plainDecimal(String(record.totalCost)), plainDecimal(String(amount))) > 0;
}

/**
 * The customers over budget now, for a `usagerecords-thresholdExceeded` event, which names none:
 * the usage records its `ResourceUri` names (`/v1/customers/usagerecords`), read with `client`
 * (from the client's own base URL: the URI in the body is never fetched), every page, and the
 * customers whose cost exceeds their budget (the spec's rule, the one the service raises the
 * event by: `totalCost > budget.amount`, compared as exact decimals; a cost equal to the budget,
 * or a customer without a budget, is not over). Most over first. An event of another name, or
 * whose `ResourceUri` is not the usage records, is a `TypeError`: nothing is read.
 */
export async function resolveThresholdExceeded(
  client: UsageBudgetClient,
  event: WebhookEvent,
  options?: CallOptions,
): Promise<OverBudgetCustomer[]> {
  if (event?.EventName?.toLowerCase() !== THRESHOLD_EXCEEDED.toLowerCase()) {
    throw new TypeError(`not a ${THRESHOLD_EXCEEDED} event: ${JSON.stringify(event?.EventName)}`);
  }
  const uri = event.ResourceUri;
  if (typeof uri === 'string' && !/^(?:https?:\/\/[^/]+)?(?:\/webhooks)?\/v1\/customers\/usagerecords\/?$/i.test(uri)) {
    throw new TypeError(`the event's ResourceUri is not the usage records: ${JSON.stringify(uri.slice(0, 200))}`);
  }
  const records = await client.listCustomerUsageRecords(options);
  return records
    .filter(isOverBudget)
    .map((record) => ({
      customerTenantId: record.resourceId,
      name: record.resourceName,
      totalCost: record.totalCost,
      budget: record.budget?.amount as number,
      percentUsed: record.percentUsed,
      currencyCode: record.currencyCode,
      record,
    }))
    .sort((a, b) => b.percentUsed - a.percentUsed);
}
