// What the budget threshold (the `usagerecords-thresholdExceeded` event) needs from storage: a
// customer's cost and budget next to its last crossing, and the writes that change them. The
// domain sees only this interface; `startServer` picks the engine (SQLite today).
import type { SubscriptionUsage } from './customer-store.js';

/** Whether a customer was over its budget when last evaluated, and in which billing period. */
export interface BudgetCrossing {
  /** The start of the partner's billing period at the time (its `billingStart`). */
  readonly billingStart: string;
  readonly overBudget: boolean;
}

/** A customer with a usage-based subscription, its budget, and its last crossing. */
export interface UsageStanding {
  readonly customerId: string;
  readonly partnerId: string;
  /** The start of the partner's current billing period. */
  readonly billingStart: string;
  readonly usage: SubscriptionUsage;
  /** Canonical decimal text; `null` when no budget is set. */
  readonly budget: string | null;
  /** `undefined`: never over budget since it was first evaluated. */
  readonly crossing: BudgetCrossing | undefined;
}

/** A customer's cost this billing period, as it now is. */
export interface UsageCost {
  /** Decimal text with every digit. */
  readonly cost: string;
  /** Azure plans, when known. */
  readonly usdCost: string | undefined;
  /** date-time: when the usage figures changed. */
  readonly lastModified: string;
}

export interface ThresholdStore {
  /** The customer's standing; `undefined` for an unknown customer or one without a usage-based subscription. */
  usageStanding(partnerId: string, customerId: string): Promise<UsageStanding | undefined>;
  /**
   * The standing of every customer of the partner that can be or was over budget (a budget set,
   * or a crossing recorded), in listing order: what a new seed is evaluated on.
   */
  usageStandings(partnerId: string): Promise<UsageStanding[]>;
  recordCrossing(partnerId: string, customerId: string, crossing: BudgetCrossing): Promise<void>;
  /** Sets a customer's cost this billing period (it has a usage-based subscription). */
  setUsageCost(partnerId: string, customerId: string, cost: UsageCost): Promise<void>;
}
