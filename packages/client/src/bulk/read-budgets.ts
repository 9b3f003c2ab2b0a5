import type { UsageBudgetClient } from '../client.js';
import type { Throttle } from '../core/call-types.js';
import { bulkDefaults, PermissionDeniedError } from '../index.js';
import { checkConcurrency, concurrentMap } from './concurrent-map.js';

/** Options of {@link readBudgets}. */
export interface ReadBudgetsOptions {
  /** Reads at once for the customers the usage records leave out, 1 to 64 (`bulkDefaults.maxConcurrency`); 16 by default. */
  concurrency?: number;
  /** Stops the reads (those in flight finish); the budgets read so far are returned. */
  signal?: AbortSignal;
  /** Shared with the run that follows (`applyBudgets`' `throttle`), so reads and writes pace together. */
  throttle?: Throttle;
  /** The `MS-CorrelationId` of every call; a new one by default. */
  correlationId?: string;
}

/**
 * The current budgets of the given customers, in as few calls as the API allows: the usage records
 * (`GET /v1/customers/usagerecords`, one call) carry the budget of every customer with a
 * usage-based subscription; the customers they leave out (none, or an app-only token, which the
 * usage records refuse) are read one `GET .../usagebudget` each. The API has no other bulk read.
 * The map's keys are the ids in lower case; a value is the amount, or `null` for no budget. A
 * customer whose budget could not be read is left out (an update of it is then sent, and fails or
 * succeeds on its own).
 */
export async function readBudgets(
  client: UsageBudgetClient,
  customerTenantIds: Iterable<string>,
  options: ReadBudgetsOptions = {},
): Promise<Map<string, number | null>> {
  const { signal, throttle, correlationId, concurrency = bulkDefaults.concurrency } = options;
  checkConcurrency(concurrency);
  const wanted = new Set<string>();
  for (const id of customerTenantIds) wanted.add(id.toLowerCase());
  const budgets = new Map<string, number | null>();
  if (wanted.size === 0) return budgets;
  try {
    const records = await client.listCustomerUsageRecords({ signal, throttle, correlationId });
    for (const record of records) {
      const id = record.resourceId.toLowerCase();
      if (wanted.has(id)) budgets.set(id, record.budget?.amount ?? null);
    }
  } catch (error) {
    // An app-only token may not read usage: each budget is then read on its own.
    if (!(error instanceof PermissionDeniedError)) throw error;
  }
  const rest = [...wanted].filter((id) => !budgets.has(id));
  const read = async (id: string) => {
    try {
      const budget = await client.getBudget(id, { signal, throttle, correlationId });
      budgets.set(id, budget.amount ?? null);
    } catch {
      // Left out: the update says what is wrong with this customer.
    }
  };
  for await (const _ of concurrentMap(rest, concurrency, read, signal)) {
    // The reads fill `budgets` as they finish.
  }
  return budgets;
}
