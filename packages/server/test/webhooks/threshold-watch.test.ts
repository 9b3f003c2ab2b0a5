// The budget threshold's rule, on its own: once per crossing per billing period (the spec's
// corrections). The server applies it in the transaction of each change: see the crossing tests.
import { describe, expect, it } from 'vitest';
import { crossingDecision, isOverBudget } from '../../src/webhooks/threshold-watch.js';

const MAY = '2024-05-01T00:00:00+00:00';
const JUNE = '2024-06-01T00:00:00+00:00';
const usage = (cost: string) => ({
  offer: 'azurePlan' as const,
  currency: 'USD',
  cost,
  usdCost: cost,
  lastModified: MAY,
});
const standing = (cost: string, budget: string | null, crossing?: { billingStart: string; overBudget: boolean }) => ({
  billingStart: MAY,
  usage: usage(cost),
  budget,
  crossing,
});

describe('the budget threshold', () => {
  it('is exceeded only by a cost strictly above a budget, compared as exact decimals', () => {
    expect(isOverBudget('100.00000000000000000001', '100')).toBe(true);
    expect(isOverBudget('100.0', '100')).toBe(false);
    expect(isOverBudget('0.01', '0')).toBe(true);
    expect(isOverBudget('0', '0')).toBe(false);
    expect(isOverBudget('1000000', null)).toBe(false);
  });

  it('raises once when a customer goes over, not again while it stays over in the period', () => {
    expect(crossingDecision(standing('101', '100'))).toEqual({
      record: { billingStart: MAY, overBudget: true },
      raise: true,
    });
    const over = { billingStart: MAY, overBudget: true };
    expect(crossingDecision(standing('150', '100', over))).toEqual({ record: undefined, raise: false });
  });

  it('resets when the customer is back at or under its budget (or has none), and raises again on the next crossing', () => {
    const over = { billingStart: MAY, overBudget: true };
    expect(crossingDecision(standing('100', '100', over))).toEqual({
      record: { billingStart: MAY, overBudget: false },
      raise: false,
    });
    expect(crossingDecision(standing('150', null, over))).toEqual({
      record: { billingStart: MAY, overBudget: false },
      raise: false,
    });
    const back = { billingStart: MAY, overBudget: false };
    expect(crossingDecision(standing('150', '100', back))).toEqual({
      record: { billingStart: MAY, overBudget: true },
      raise: true,
    });
  });

  it('raises again in a new billing period for a customer still over, and records nothing for one never over', () => {
    const overInApril = { billingStart: '2024-04-01T00:00:00+00:00', overBudget: true };
    expect(crossingDecision(standing('150', '100', overInApril))).toEqual({
      record: { billingStart: MAY, overBudget: true },
      raise: true,
    });
    expect(crossingDecision({ ...standing('50', '100'), billingStart: JUNE })).toEqual({
      record: undefined,
      raise: false,
    });
    expect(crossingDecision(standing('50', null))).toEqual({ record: undefined, raise: false });
  });
});
