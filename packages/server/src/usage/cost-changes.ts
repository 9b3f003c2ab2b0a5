// A customer's cost growing during its billing period, as Partner Center's usage figures do: the
// one way the server's costs change after a seed (a test control of the mock calls it through
// the extension point). The threshold is evaluated in the same transaction, so a cost pushed past
// the budget raises `usagerecords-thresholdExceeded` as a real crossing would.
import { compareDecimals, DECIMAL_PATTERN, sumDecimals } from '@usagebudget/openapi/rules';
import type { Store } from '../storage/store.js';
import type { RaiseOutcome } from '../webhooks/event-raiser.js';
import { isOverBudget, type ThresholdWatch } from '../webhooks/threshold-watch.js';

/** How much to add, as decimal text with every digit (`"12.5"`). */
export interface CostIncrease {
  /** Added to `totalCost`, in the customer's currency; above 0. */
  readonly cost: string;
  /**
   * Added to `usdTotalCost`. Default: the same as `cost` for an Azure plan in USD (whose USD cost
   * is its cost); otherwise the USD cost stays as it was.
   */
  readonly usdCost?: string | undefined;
}

/** A customer's usage after an increase. */
export interface CostChange {
  readonly customerId: string;
  readonly partnerId: string;
  readonly totalCost: string;
  readonly usdTotalCost: string | undefined;
  /** Canonical decimal text; `null` when no budget is set. */
  readonly budget: string | null;
  readonly overBudget: boolean;
  /** The `usagerecords-thresholdExceeded` event the increase raised (a crossing), or `undefined`. */
  readonly thresholdExceeded: RaiseOutcome | undefined;
}

function checkedAmount(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value) || compareDecimals(value, '0') <= 0) {
    throw new RangeError(`${name} must be a decimal string above 0, such as "12.5" (got ${JSON.stringify(value)})`);
  }
  return value;
}

/**
 * Adds to a customer's cost this billing period, and evaluates its budget threshold, in one
 * transaction. `undefined` for an unknown customer or one without a usage-based subscription;
 * a `RangeError` for an amount that is not a decimal string above 0.
 */
export async function increaseCost(
  store: Store,
  thresholds: ThresholdWatch,
  partnerId: string,
  customerId: string,
  increase: CostIncrease,
  at = new Date(),
): Promise<CostChange | undefined> {
  const cost = checkedAmount(increase.cost, 'cost') as string;
  const usdCost = checkedAmount(increase.usdCost, 'usdCost');
  return store.transaction(async (tx) => {
    const standing = await tx.usageStanding(partnerId, customerId.toLowerCase());
    if (!standing) return undefined;
    const { usage } = standing;
    const totalCost = sumDecimals([usage.cost, cost]);
    const sameAsCost = usage.offer === 'azurePlan' && usage.currency === 'USD';
    const usdTotalCost =
      usdCost !== undefined ? sumDecimals([usage.usdCost ?? '0', usdCost]) : sameAsCost ? totalCost : usage.usdCost;
    await tx.setUsageCost(partnerId, standing.customerId, {
      cost: totalCost,
      usdCost: usdTotalCost,
      lastModified: at.toISOString(),
    });
    const thresholdExceeded = await thresholds.evaluate(tx, partnerId, standing.customerId, at);
    return {
      customerId: standing.customerId,
      partnerId: standing.partnerId,
      totalCost,
      usdTotalCost,
      budget: standing.budget,
      overBudget: isOverBudget(totalCost, standing.budget),
      thresholdExceeded,
    };
  });
}
