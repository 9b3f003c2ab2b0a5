import type { CustomerMonthlyUsageRecord, CustomerUsageSummary, Decimal } from '@usagebudget/client';
// The spec's money rules have one home, the spec package: the CLI computes with them rather than
// with doubles of its own, so it ranks and colours a customer exactly as the server counts it.
import { budgetStanding, compareDecimals, percentUsed } from '@usagebudget/openapi/rules';
import type { Style } from './output.js';

/**
 * One customer's budget next to this period's cost: a row of `report` (and of `report --csv`,
 * whose columns, `REPORT_COLUMNS` of `budget-csv.ts`, are these keys in this order), and the
 * figures of `usage`.
 */
export interface UsageRow {
  customerId: string;
  customerName: string;
  /** `null`: no budget is allocated. */
  budget: number | null;
  /** This period's estimated cost, exactly as the service sent it. */
  cost: Decimal;
  /** ISO 4217 for an Azure plan; a legacy offer reports a locale (`fr-FR`) whose currency it is billed in. */
  currency: string;
  /** `100 × cost ÷ budget`, two decimals; 0 without a budget. */
  percentUsed: number;
}

/** The currency a cost is in: its ISO 4217 code, or for a legacy offer the locale it is billed in. */
export const currencyOf = (usage: { currencyCode?: string; currencyLocale?: string }) =>
  usage.currencyCode ?? usage.currencyLocale ?? '';

/** A usage record as a row: the service's own `percentUsed`. */
export function rowOfRecord(record: CustomerMonthlyUsageRecord): UsageRow {
  return {
    customerId: record.resourceId,
    customerName: record.resourceName,
    budget: record.budget.amount ?? null,
    cost: record.totalCost,
    currency: currencyOf(record),
    percentUsed: record.percentUsed,
  };
}

/** A budget as the spec's rules take it: decimal text, `null` for none. */
const budgetText = (budget: number | null) => (budget === null ? null : String(budget));

/**
 * A usage summary as a row. A summary carries no `percentUsed`; it is computed the way the spec
 * defines it for usage records: `100 × totalCost ÷ budget`, exactly, rounded half away from zero
 * to two decimals.
 */
export function rowOfSummary(summary: CustomerUsageSummary): UsageRow {
  const budget = summary.budget.amount ?? null;
  return {
    customerId: summary.resourceId,
    customerName: summary.resourceName,
    budget,
    cost: summary.totalCost,
    currency: currencyOf(summary),
    percentUsed: Number(percentUsed(summary.totalCost, budgetText(budget))),
  };
}

const STANDING = {
  overBudget: 'over',
  trendingOver: 'trending',
  withinBudget: 'within',
  noBudget: 'noBudget',
} as const;

/** Over its budget (a budget of 0 too, once anything is spent), or trending over it (80 % or more), or neither. */
export function standing(row: UsageRow): (typeof STANDING)[keyof typeof STANDING] {
  return STANDING[budgetStanding(row.cost, budgetText(row.budget))];
}

/**
 * How much of its budget a customer used, to rank and filter by: its percent used, or `Infinity`
 * when it spent anything against a budget of 0 (the spec gives it a `percentUsed` of 0: the ratio
 * is undefined, yet it is over budget); `undefined` without a budget.
 */
export function shareUsed(row: UsageRow): number | undefined {
  if (row.budget === null) return undefined;
  return row.budget === 0 && standing(row) === 'over' ? Number.POSITIVE_INFINITY : row.percentUsed;
}

const STANDING_ORDER = { over: 0, trending: 1, within: 2, noBudget: 3 } as const;

/**
 * The report's order, worst first: over budget (a budget of 0 with any cost first, by cost), then
 * trending over it, then within it, each by the share of the budget used, highest first; then the
 * customers without a budget. Names break ties.
 */
export function worstFirst(rows: readonly UsageRow[]): UsageRow[] {
  const byName = (a: UsageRow, b: UsageRow) => a.customerName.localeCompare(b.customerName, 'en');
  const ranked = rows.map((row) => ({ row, rank: STANDING_ORDER[standing(row)], share: shareUsed(row) ?? 0 }));
  ranked.sort((a, b) => {
    if (a.rank !== b.rank) return a.rank - b.rank;
    if (a.share !== b.share) return b.share - a.share;
    // Over a budget of 0, the more spent the worse.
    if (a.share === Number.POSITIVE_INFINITY) return compareDecimals(b.row.cost, a.row.cost) || byName(a.row, b.row);
    return byName(a.row, b.row);
  });
  return ranked.map(({ row }) => row);
}

/**
 * `--over PERCENT`: the customers with a budget who used PERCENT of it or more; a customer who
 * spent anything against a budget of 0 has used more than any percentage of it.
 */
export function atOrOver(rows: readonly UsageRow[], percent: number): UsageRow[] {
  return rows.filter((row) => {
    const share = shareUsed(row);
    return share !== undefined && share >= percent;
  });
}

/** A row with the documented keys only, in their order: a line of `report --json`, and the figures of `usage --json`. */
export function rowRecord(row: UsageRow): UsageRow {
  const { customerId, customerName, budget, cost, currency, percentUsed } = row;
  return { customerId, customerName, budget, cost, currency, percentUsed };
}

/** Percent used as the tables show it; `over` for a budget of 0 with a cost, whose percentUsed (0) says nothing. */
export function percentText(row: UsageRow): string {
  const share = shareUsed(row);
  return share === undefined ? '-' : share === Number.POSITIVE_INFINITY ? 'over' : `${row.percentUsed.toFixed(2)} %`;
}

/** Colours what the spec calls over budget red, and trending over it (80 % or more) yellow. */
export function paintStanding(s: Style) {
  return (row: UsageRow, text: string) => {
    const where = standing(row);
    return where === 'over' ? s.error(text) : where === 'trending' ? s.warning(text) : text;
  };
}

/**
 * A decimal written out in full (a cost) rounded to `places` decimals, half away from zero, on
 * its digits: `'412.77360021458339691162'` to 2 is `'412.77'`. Text in another notation (an
 * exponent) is rounded as a double.
 */
export function roundDecimal(text: Decimal, places: number): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return Number(text).toFixed(places);
  const [, sign = '', whole = '', fraction = ''] = match;
  const kept = BigInt(whole + fraction.slice(0, places).padEnd(places, '0'));
  const units = kept + ((fraction[places] ?? '0') >= '5' ? 1n : 0n);
  const digits = units.toString().padStart(places + 1, '0');
  const rounded = places > 0 ? `${digits.slice(0, -places)}.${digits.slice(-places)}` : digits;
  return units === 0n ? rounded : sign + rounded;
}
