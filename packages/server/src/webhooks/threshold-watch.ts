// The budget alert, `usagerecords-thresholdExceeded`: raised once per crossing per billing period
// (the spec's corrections). Evaluated wherever a cost or a budget changes, inside the transaction
// of that change, so that the change, the crossing it records and the event it raises commit
// together: a `kill -9` at any moment loses none of them, nor raises one twice.
import { budgetStanding } from '@usagebudget/openapi/rules';
import type { Store } from '../storage/store.js';
import type { BudgetCrossing, UsageStanding } from '../storage/threshold-store.js';
import { THRESHOLD_EXCEEDED } from './event-catalog.js';
import type { EventRaiser, RaiseOutcome } from './event-raiser.js';

/**
 * Over budget, the spec's rule (`@usagebudget/openapi/rules`): a budget is set and the cost is
 * strictly above it; a cost equal to the budget has not exceeded it.
 */
export function isOverBudget(cost: string, budget: string | null): boolean {
  return budgetStanding(cost, budget) === 'overBudget';
}

/** What a customer's standing means for its crossing: the crossing to record (if it changed), and whether to raise. */
export interface CrossingDecision {
  /** `undefined`: nothing to record. */
  readonly record: BudgetCrossing | undefined;
  readonly raise: boolean;
}

/**
 * The rule: a customer crosses when it is over budget and was not over in this billing period
 * (never over, back at or under its budget since, or over only in an earlier period). No record
 * is kept of a customer that has never been over.
 */
export function crossingDecision(
  standing: Pick<UsageStanding, 'billingStart' | 'usage' | 'budget' | 'crossing'>,
): CrossingDecision {
  const over = isOverBudget(standing.usage.cost, standing.budget);
  const { crossing, billingStart } = standing;
  const overAlready = crossing?.overBudget === true && crossing.billingStart === billingStart;
  const unchanged =
    crossing === undefined ? !over : crossing.overBudget === over && crossing.billingStart === billingStart;
  return { record: unchanged ? undefined : { billingStart, overBudget: over }, raise: over && !overAlready };
}

/** The threshold's evaluations, on `store`, raising through `raiser`; `usageRecordsUri()` is the event's `ResourceUri`. */
export function createThresholdWatch(store: Store, raiser: EventRaiser, usageRecordsUri: () => string) {
  const apply = (standing: UsageStanding, at: Date): RaiseOutcome | undefined => {
    const decision = crossingDecision(standing);
    if (decision.record) store.recordCrossing(standing.customerId, decision.record);
    if (!decision.raise) return undefined;
    return raiser.raise(standing.partnerId, { eventName: THRESHOLD_EXCEEDED, resourceUri: usageRecordsUri() }, at);
  };
  return {
    /**
     * Evaluates one customer after its cost or budget changed (call it in that change's
     * transaction); what was raised, if anything. A customer without usage raises nothing.
     */
    evaluate(customerId: string, at: Date): RaiseOutcome | undefined {
      const standing = store.usageStanding(customerId);
      return standing && apply(standing, at);
    },
    /** Evaluates every customer of the partners that can be over budget: after a seed (a start, a reset). */
    evaluatePartners(partnerIds: readonly string[], at: Date): void {
      for (const partnerId of partnerIds) {
        for (const standing of store.usageStandings(partnerId)) apply(standing, at);
      }
    },
  };
}

export type ThresholdWatch = ReturnType<typeof createThresholdWatch>;
