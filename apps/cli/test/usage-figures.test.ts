import type { CustomerMonthlyUsageRecord, CustomerUsageSummary } from '@usagebudget/client';
import { describe, expect, it } from 'vitest';
import {
  atOrOver,
  roundDecimal,
  rowOfRecord,
  rowOfSummary,
  shareUsed,
  standing,
  type UsageRow,
  worstFirst,
} from '../src/usage-figures.js';

const row = (customerName: string, budget: number | null, cost: string, percentUsed: number): UsageRow => ({
  customerId: `id-${customerName}`,
  customerName,
  budget,
  cost,
  currency: 'EUR',
  percentUsed,
});

describe('roundDecimal', () => {
  it.each([
    ['412.77360021458339691162', '412.77'],
    ['28.82860766744404945074', '28.83'],
    ['0.995', '1.00'],
    ['99.995', '100.00'],
    ['0.004', '0.00'],
    ['120', '120.00'],
    ['0', '0.00'],
    ['-0.005', '-0.01'],
    ['-0.004', '0.00'],
    // A double would round 1.005 down (it is 1.00499999999999989...); the digits round it up.
    ['1.005', '1.01'],
    ['123456789012345678.125', '123456789012345678.13'],
  ])('rounds %s to %s, half away from zero, on its digits', (text, rounded) => {
    expect(roundDecimal(text, 2)).toBe(rounded);
  });

  it('rounds a number written with an exponent as a double', () => {
    expect(roundDecimal('1.5E2', 2)).toBe('150.00');
  });
});

describe('rows', () => {
  it('take the service percentUsed from a usage record, and the currency or the locale', () => {
    const record = {
      resourceId: 'a',
      resourceName: 'A',
      budget: { amount: 20 },
      totalCost: '120.5682999999995904716',
      currencyLocale: 'fr-FR',
      percentUsed: 602.84,
    } as CustomerMonthlyUsageRecord;
    expect(rowOfRecord(record)).toEqual({
      customerId: 'a',
      customerName: 'A',
      budget: 20,
      cost: '120.5682999999995904716',
      currency: 'fr-FR',
      percentUsed: 602.84,
    });
    expect(rowOfRecord({ ...record, currencyCode: 'SEK', budget: {} }).budget).toBeNull();
    expect(rowOfRecord({ ...record, currencyCode: 'SEK' }).currency).toBe('SEK');
  });

  it("compute a summary's percent used as the spec does: two decimals, 0 without a budget or with 0", () => {
    const summary = (amount: number | null | undefined, totalCost: string) =>
      rowOfSummary({ resourceId: 'a', resourceName: 'A', budget: { amount }, totalCost } as CustomerUsageSummary);
    // The spec's two examples of usage records.
    expect(summary(20, '120.5682999999995904716').percentUsed).toBe(602.84);
    expect(summary(97, '27.23292827625710931604').percentUsed).toBe(28.08);
    expect(summary(97, '28.82860766744404945074').percentUsed).toBe(29.72);
    expect(summary(200, '1.01').percentUsed).toBe(0.51);
    expect(summary(null, '5').percentUsed).toBe(0);
    expect(summary(undefined, '5')).toMatchObject({ budget: null, percentUsed: 0 });
    expect(summary(0, '5').percentUsed).toBe(0);
  });

  it('stand over budget when the cost exceeds it (a budget of 0 too), trending at 80 % or more', () => {
    expect(standing(row('a', 500, '612.5', 122.5))).toBe('over');
    expect(standing(row('a', 0, '0.01', 0))).toBe('over');
    expect(standing(row('a', 100, '100', 100))).toBe('trending');
    expect(standing(row('a', 100, '80', 80))).toBe('trending');
    expect(standing(row('a', 100, '79.99', 79.99))).toBe('within');
    expect(standing(row('a', null, '1000', 0))).toBe('noBudget');
  });
});

describe('the report', () => {
  const rows = [
    row('Zeta', null, '5', 0),
    row('Beta', 100, '50', 50),
    row('Alpha', null, '900', 0),
    row('Gamma', 20, '120.5', 602.5),
    row('Delta', 100, '50', 50),
    row('Eta', 10, '8', 80),
  ];

  it('puts the worst first: the highest percent of a budget, then names; customers without a budget last', () => {
    expect(worstFirst(rows).map(({ customerName }) => customerName)).toEqual([
      'Gamma',
      'Eta',
      'Beta',
      'Delta',
      'Alpha',
      'Zeta',
    ]);
    expect(rows[0]?.customerName, 'the input is left as it was').toBe('Zeta');
  });

  it('keeps, with --over, the customers with a budget who used that percent of it or more', () => {
    expect(atOrOver(worstFirst(rows), 80).map(({ customerName }) => customerName)).toEqual(['Gamma', 'Eta']);
    expect(
      atOrOver(rows, 0)
        .map(({ customerName }) => customerName)
        .sort(),
    ).toEqual(['Beta', 'Delta', 'Eta', 'Gamma']);
    expect(atOrOver(rows, 1000)).toEqual([]);
  });

  // A budget of 0 with a cost: percentUsed 0 (the spec), yet over budget. 100.001 of 100: over,
  // though its percentUsed rounds to 100.00, the same as a customer exactly at its budget.
  const zero = [
    ...rows,
    row('Omega', 0, '0.01', 0),
    row('Psi', 0, '250', 0),
    row('Nil', 0, '0', 0),
    row('Hair', 100, '100.001', 100),
    row('Exact', 100, '100', 100),
  ];

  it('ranks by standing: over budget first (over a budget of 0 first of all, by cost), then trending, then within', () => {
    expect(shareUsed(row('Psi', 0, '250', 0))).toBe(Number.POSITIVE_INFINITY);
    expect(shareUsed(row('Nil', 0, '0', 0))).toBe(0);
    expect(shareUsed(row('Zeta', null, '5', 0))).toBeUndefined();
    expect(worstFirst(zero).map(({ customerName }) => customerName)).toEqual([
      'Psi',
      'Omega',
      'Gamma',
      'Hair',
      'Exact',
      'Eta',
      'Beta',
      'Delta',
      'Nil',
      'Alpha',
      'Zeta',
    ]);
  });

  it('keeps a customer over a budget of 0 with --over, whatever the percentage', () => {
    for (const percent of [0, 80, 100, 1e9]) {
      expect(
        atOrOver(worstFirst(zero), percent)
          .map(({ customerName }) => customerName)
          .slice(0, 2),
      ).toEqual(['Psi', 'Omega']);
    }
    expect(atOrOver(zero, 100).map(({ customerName }) => customerName)).toEqual([
      'Gamma',
      'Omega',
      'Psi',
      'Hair',
      'Exact',
    ]);
  });
});
