import { exactDecimal } from '@usagebudget/openapi/rules';
import { faults } from '../contract/faults.js';
import type { CheckedBody } from '../http/checked-body.js';
import { jsonText, NumberText } from '../http/json-number-text.js';
import { type Operation, pathCustomerId } from '../http/operation.js';
import type { Store } from '../storage/store.js';
import type { ThresholdWatch } from '../webhooks/threshold-watch.js';

/**
 * The `SpendingBudget` of a customer as JSON text. The amount is spliced in as the canonical
 * decimal text it was stored as, so what was sent is what comes back, digit for digit.
 */
function renderBudget(selfUri: string, amount: string | null): string {
  const value = amount === null ? null : new NumberText(amount);
  return jsonText({
    amount: value,
    usageSpendingBudget: value,
    attributes: { objectType: 'SpendingBudget' },
    links: { self: { uri: selfUri, method: 'GET', headers: [] } },
  });
}

/**
 * The amount a PATCH body sets: canonical decimal text, or `null` to clear. 400 3000 when
 * `amount` is missing, or when the amount cannot be kept exactly. (The front door has checked the
 * body against the spec's schema.)
 */
function amountToSet(body: CheckedBody): string | null {
  const budget = body.value as { amount?: number | null };
  if (!('amount' in budget)) {
    throw faults.invalidProperties([{ name: 'amount', message: 'is required; send null to clear the budget' }]);
  }
  if (budget.amount === null) return null;
  const numberText = body.numberText('amount') ?? String(budget.amount);
  const exact = exactDecimal(numberText);
  if (exact === undefined) {
    throw faults.invalidProperties([
      {
        name: 'amount',
        message: `${numberText.slice(0, 64)} would be read back as ${Number(numberText)}; send a decimal of at most 15 significant digits, which is always kept exactly`,
      },
    ]);
  }
  return exact;
}

/**
 * The spec's two operations on a customer's budget, by operationId, on the given store. An update
 * applied is evaluated against the budget threshold in its own transaction: a budget set or
 * lowered below the cost raises `usagerecords-thresholdExceeded`, or the update does not commit.
 */
export function budgetOperations(store: Store, thresholds: ThresholdWatch): Readonly<Record<string, Operation>> {
  return {
    getUsageBudget: {
      handle: async (call) => ({
        status: 200,
        body: renderBudget(call.selfUri, await store.readAmount(call.partner.id, pathCustomerId(call))),
      }),
    },
    updateUsageBudget: {
      handle: async (call) => {
        const { partner, selfUri, sentRequestId, body } = call;
        if (!body) throw new Error('the spec gives updateUsageBudget no request body');
        const amount = amountToSet(body);
        const customerId = pathCustomerId(call);
        const update = {
          partnerId: partner.id,
          requestId: sentRequestId,
          customerId,
          amount,
          response: renderBudget(selfUri, amount),
        };
        // Quietly when the engine can and the threshold has nothing to do; else in a transaction
        // with the threshold's evaluation.
        const outcome =
          (await store.updateQuietly?.(update, thresholds.isQuiet)) ??
          (await store.transaction(async (tx) => {
            const applied = await tx.update(update);
            if (applied.kind === 'applied') await thresholds.evaluateStanding(tx, applied.standing, new Date());
            return applied;
          }));
        if (outcome.kind === 'requestIdReused') throw faults.requestIdReused();
        return { status: 200, body: outcome.response };
      },
    },
  };
}
