// Warn when a customer has used more than a share (80% by default) of its usage budget.
//
// Partner Center keeps each customer's budget next to this billing period's estimated cost: the
// customer's usage summary. The check lists the partner's customers (or takes the ones it is
// given), reads each summary with the SDK and compares the two.
import { NotFoundError, type PartnerCenterError, type UsageBudgetClient } from '@usagebudget/client';

/** A customer past the threshold. */
export interface BudgetAlert {
  readonly customerId: string;
  readonly customerName: string;
  readonly budget: number;
  /** This period's estimated cost, every digit as Partner Center sent it. */
  readonly cost: string;
  /** An ISO 4217 code (Azure plans) or a locale (legacy offers). */
  readonly currency: string;
  /** `cost / budget` in percent, one decimal. */
  readonly percentUsed: number;
}

export interface BudgetReport {
  /** Customers whose cost is at or past the threshold of their budget, most used first. */
  readonly alerts: readonly BudgetAlert[];
  /** Customers without a budget: nothing to compare against. */
  readonly unbudgeted: readonly string[];
  /** Customers without a usage-based subscription: no usage, so nothing to warn about. */
  readonly withoutUsage: readonly string[];
  /** Customers whose usage summary could not be read (after the SDK's retries), with why. */
  readonly failures: readonly { readonly customerId: string; readonly reason: string }[];
}

export interface CheckOptions {
  /** The share of the budget that raises an alert; 0.8 by default. */
  readonly threshold?: number;
  /** Only these customers; by default every customer of the partner, listed page by page. */
  readonly customerIds?: readonly string[];
}

async function everyCustomer(client: UsageBudgetClient): Promise<string[]> {
  const ids: string[] = [];
  for await (const customer of client.listCustomers()) ids.push(customer.id);
  return ids;
}

/**
 * Reads each customer's usage summary and reports who is over the threshold; one failed read does
 * not stop the others. A failure to list the customers rejects.
 */
export async function checkBudgets(client: UsageBudgetClient, options: CheckOptions = {}): Promise<BudgetReport> {
  const threshold = options.threshold ?? 0.8;
  if (!(threshold > 0)) throw new RangeError(`threshold must be above 0, not ${threshold}`);
  const alerts: BudgetAlert[] = [];
  const unbudgeted: string[] = [];
  const withoutUsage: string[] = [];
  const failures: { customerId: string; reason: string }[] = [];
  for (const customerId of options.customerIds ?? (await everyCustomer(client))) {
    let summary: Awaited<ReturnType<UsageBudgetClient['getCustomerUsageSummary']>>;
    try {
      summary = await client.getCustomerUsageSummary(customerId);
    } catch (error) {
      const fault = error as PartnerCenterError;
      if (fault instanceof NotFoundError && fault.code === 'NoUsageBasedSubscription') {
        withoutUsage.push(customerId);
        continue;
      }
      failures.push({ customerId, reason: `${fault.name}${fault.status ? ` ${fault.status}` : ''}: ${fault.message}` });
      continue;
    }
    const budget = summary.budget.amount;
    if (budget === null || budget === undefined) {
      unbudgeted.push(customerId);
      continue;
    }
    // A double is plenty to decide an alert and to show one decimal; the exact cost is kept for the message.
    const percentUsed =
      budget === 0 ? Number.POSITIVE_INFINITY : Math.round((Number(summary.totalCost) / budget) * 1000) / 10;
    if (percentUsed >= threshold * 100) {
      alerts.push({
        customerId,
        customerName: summary.resourceName,
        budget,
        cost: summary.totalCost,
        currency: summary.currencyCode ?? summary.currencyLocale ?? '',
        percentUsed,
      });
    }
  }
  alerts.sort((a, b) => b.percentUsed - a.percentUsed);
  return { alerts, unbudgeted, withoutUsage, failures };
}

/** One line per alert, for a chat message or an email. */
export function describeAlert(alert: BudgetAlert): string {
  return `${alert.customerName} (${alert.customerId}) has used ${alert.percentUsed}% of its budget: ${alert.cost} of ${alert.budget} ${alert.currency}.`;
}
