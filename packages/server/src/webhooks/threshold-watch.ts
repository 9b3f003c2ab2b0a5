// The budget alert, `usagerecords-thresholdExceeded`: raised once per crossing per billing period
// (the spec's corrections). Evaluated wherever a cost or a budget changes, inside the transaction
// of that change, so that the change, the crossing it records and the event it raises commit
// together: a `kill -9` at any moment loses none of them, nor raises one twice.
import { budgetStanding } from '@usagebudget/openapi/rules';
import type { StoreOperations } from '../storage/store.js';
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

/**
 * The threshold's evaluations, raising through `raiser`; `usageRecordsUri()` is the event's
 * `ResourceUri`. Each runs on `tx`, the transaction of the change it evaluates.
 */
export function createThresholdWatch(raiser: EventRaiser, usageRecordsUri: () => string) {
  const apply = async (tx: StoreOperations, standing: UsageStanding, at: Date): Promise<RaiseOutcome | undefined> => {
    const decision = crossingDecision(standing);
    if (decision.record) await tx.recordCrossing(standing.partnerId, standing.customerId, decision.record);
    if (!decision.raise) return undefined;
    return raiser.raise(tx, standing.partnerId, { eventName: THRESHOLD_EXCEEDED, resourceUri: usageRecordsUri() }, at);
  };
  return {
    /**
     * Whether a standing needs nothing of the threshold (no crossing to record, nothing to raise):
     * a change leaving it so may commit without `evaluateStanding`. `undefined`: no usage.
     */
    isQuiet(standing: UsageStanding | undefined): boolean {
      if (!standing) return true;
      const decision = crossingDecision(standing);
      return decision.record === undefined && !decision.raise;
    },
    /**
     * Evaluates one customer after its cost or budget changed, in that change's transaction;
     * what was raised, if anything. A customer without usage raises nothing.
     */
    async evaluate(
      tx: StoreOperations,
      partnerId: string,
      customerId: string,
      at: Date,
    ): Promise<RaiseOutcome | undefined> {
      const standing = await tx.usageStanding(partnerId, customerId);
      return standing && apply(tx, standing, at);
    },
    /**
     * Evaluates a standing read in the change's transaction with the customer's row locked (as a
     * budget update returns it); `undefined`: a customer without usage, which raises nothing.
     */
    async evaluateStanding(
      tx: StoreOperations,
      standing: UsageStanding | undefined,
      at: Date,
    ): Promise<RaiseOutcome | undefined> {
      return standing && apply(tx, standing, at);
    },
    /** Evaluates every customer of the partners that can be over budget: after a seed (a start, a reset). */
    async evaluatePartners(tx: StoreOperations, partnerIds: readonly string[], at: Date): Promise<void> {
      for (const partnerId of partnerIds) {
        for (const standing of await tx.usageStandings(partnerId)) await apply(tx, standing, at);
      }
    },
  };
}

export type ThresholdWatch = ReturnType<typeof createThresholdWatch>;
