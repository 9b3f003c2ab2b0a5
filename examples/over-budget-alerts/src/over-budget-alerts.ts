// Warn when a customer has used more than a share (80% by default) of its usage budget.
//
// This team's billing system knows each customer's spend so far this period; Partner Center knows
// each customer's budget. The check reads the budgets with the SDK and compares. (Once the API's
// usage summaries are in the SDK, the spend can come from there too.)
import type { PartnerCenterError, UsageBudgetClient } from '@usagebudget/client';

/** A customer's spend so far this billing period, in its billing currency. */
export interface CustomerSpend {
  readonly customerId: string;
  readonly spend: number;
}

/** A customer past the threshold. */
export interface BudgetAlert {
  readonly customerId: string;
  readonly budget: number;
  readonly spend: number;
  /** `spend / budget` in percent, one decimal. */
  readonly percentUsed: number;
}

export interface BudgetReport {
  /** Customers whose spend is at or past the threshold of their budget, most used first. */
  readonly alerts: readonly BudgetAlert[];
  /** Customers without a budget: nothing to compare against. */
  readonly unbudgeted: readonly string[];
  /** Customers whose budget could not be read (after the SDK's retries), with why. */
  readonly failures: readonly { readonly customerId: string; readonly reason: string }[];
}

export interface CheckOptions {
  /** The share of the budget that raises an alert; 0.8 by default. */
  readonly threshold?: number;
}

/** Reads each customer's budget and reports who is over the threshold; one failed read does not stop the others. */
export async function checkBudgets(
  client: UsageBudgetClient,
  spends: readonly CustomerSpend[],
  options: CheckOptions = {},
): Promise<BudgetReport> {
  const threshold = options.threshold ?? 0.8;
  if (!(threshold > 0)) throw new RangeError(`threshold must be above 0, not ${threshold}`);
  const alerts: BudgetAlert[] = [];
  const unbudgeted: string[] = [];
  const failures: { customerId: string; reason: string }[] = [];
  for (const { customerId, spend } of spends) {
    let budget: number | null | undefined;
    try {
      budget = (await client.getBudget(customerId)).amount;
    } catch (error) {
      const fault = error as PartnerCenterError;
      failures.push({ customerId, reason: `${fault.name}${fault.status ? ` ${fault.status}` : ''}: ${fault.message}` });
      continue;
    }
    if (budget === null || budget === undefined) {
      unbudgeted.push(customerId);
      continue;
    }
    if (spend >= budget * threshold) {
      const percentUsed = budget === 0 ? Number.POSITIVE_INFINITY : Math.round((spend / budget) * 1000) / 10;
      alerts.push({ customerId, budget, spend, percentUsed });
    }
  }
  alerts.sort((a, b) => b.percentUsed - a.percentUsed);
  return { alerts, unbudgeted, failures };
}

/** One line per alert, for a chat message or an email. */
export function describeAlert(alert: BudgetAlert): string {
  return `Customer ${alert.customerId} has spent ${alert.spend} of its ${alert.budget} budget (${alert.percentUsed}%).`;
}
