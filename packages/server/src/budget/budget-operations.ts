import { exactDecimal } from '@usagebudget/openapi/rules';
import { bind } from '../contract/body-binding.js';
import type { BodyRule } from '../contract/compile-contract.js';
import { faults } from '../contract/faults.js';
import { jsonText, NumberText, topLevelNumberTexts } from '../http/json-number-text.js';
import { type Operation, pathCustomerId } from '../http/operation.js';
import { readJsonBody } from '../http/request-body.js';
import type { BudgetStore } from '../storage/budget-store.js';

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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function propertyName(instancePath: string): string {
  return instancePath.slice(1).replaceAll('/', '.') || 'body';
}

/**
 * The amount a PATCH body sets: canonical decimal text, or `null` to clear. 400 3000 naming the
 * property when the bound body breaks the spec's schema, when `amount` is missing, or when the
 * amount cannot be kept exactly.
 */
function amountToSet(rule: BodyRule, text: string, value: unknown): string | null {
  if (!isObject(value)) throw faults.invalidInput('The request body must be a JSON object (a SpendingBudget).');
  const bound = bind(value, rule.shape);
  if (bound.conflicts.length > 0) {
    throw faults.invalidProperties(
      bound.conflicts.map((name) => ({ name, message: 'is given more than once, in different casings' })),
    );
  }
  const result = rule.check(bound.value);
  if (!result.valid) {
    throw faults.invalidProperties(
      result.details.map((detail) => ({
        name: propertyName(detail.instancePath),
        message: detail.message ?? 'is invalid',
      })),
    );
  }
  const budget = bound.value as { amount?: number | null };
  if (!('amount' in budget)) {
    throw faults.invalidProperties([{ name: 'amount', message: 'is required; send null to clear the budget' }]);
  }
  if (budget.amount === null) return null;
  const sentAs = Object.keys(value).find((key) => key.toLowerCase() === 'amount') ?? 'amount';
  const numberText = topLevelNumberTexts(text).get(sentAs) ?? String(budget.amount);
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

/** The spec's two operations on a customer's budget, by operationId, on the given store. */
export function budgetOperations(store: BudgetStore): Readonly<Record<string, Operation>> {
  return {
    getUsageBudget: {
      handle: (call) => ({ status: 200, body: renderBudget(call.selfUri, store.readAmount(pathCustomerId(call))) }),
    },
    updateUsageBudget: {
      handle: async (call) => {
        const { req, operation, partner, selfUri, sentRequestId, bodyRead } = call;
        const customerId = pathCustomerId(call);
        const rule = operation.body;
        if (!rule) throw new Error('the spec gives updateUsageBudget no request body');
        const { text, value } = await readJsonBody(req, rule.mediaType);
        bodyRead();
        const amount = amountToSet(rule, text, value);
        const outcome = store.update({
          partnerId: partner.id,
          requestId: sentRequestId,
          customerId,
          amount,
          response: renderBudget(selfUri, amount),
        });
        if (outcome.kind === 'requestIdReused') throw faults.requestIdReused();
        return { status: 200, body: outcome.response };
      },
    },
  };
}
