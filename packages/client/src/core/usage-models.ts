import type {
  CustomerFilterFieldEnum,
  CustomerFilterOperatorEnum,
  CustomerMonthlyUsageRecord as GeneratedCustomerMonthlyUsageRecord,
  CustomerUsageSummary as GeneratedCustomerUsageSummary,
  PartnerUsageSummary as GeneratedPartnerUsageSummary,
} from '../generated/models/index.js';

// The spec's usage models as the facade returns them. The generated models type a cost
// `string | number` (the wire allows both); the facade always gives the string, every digit kept.

/**
 * A decimal written out in full, every digit as the service sent it: `'28.82860766744404945074'`.
 * A double would keep only about 17 significant digits; use a decimal library (or scaled
 * `bigint`s) to compute with it, and `Number(value)` for display only.
 */
export type Decimal = string;

/** The costs of a usage model, as exact decimal strings. */
interface ExactCosts {
  /** The estimated cost of the usage in the current billing period, in the billing currency, every digit kept. */
  totalCost: Decimal;
  /** `totalCost` in US dollars, every digit kept (Azure plans). */
  usdTotalCost?: Decimal;
}

/** A customer's budget next to the estimated cost of its usage in the current billing period. */
export interface CustomerUsageSummary
  extends Omit<GeneratedCustomerUsageSummary, 'totalCost' | 'usdTotalCost'>,
    ExactCosts {}

/** One customer's usage in the current billing period against its budget (`percentUsed`). */
export interface CustomerMonthlyUsageRecord
  extends Omit<GeneratedCustomerMonthlyUsageRecord, 'totalCost' | 'usdTotalCost'>,
    ExactCosts {}

/** The partner's usage summary: legacy offers' cost and the customers over or trending over budget. */
export interface PartnerUsageSummary
  extends Omit<GeneratedPartnerUsageSummary, 'totalCost' | 'usdTotalCost'>,
    ExactCosts {}

/**
 * `listCustomers`' filter: the customers whose `Field` starts with `Value`, regardless of case,
 * e.g. `{ Field: 'CompanyName', Value: 'Cont', Operator: 'starts_with' }`.
 */
export interface CustomerFilter {
  /** `CompanyName`, `Domain`, `IndirectReseller` or `IndirectCloudSolutionProvider`. */
  Field: `${CustomerFilterFieldEnum}`;
  /** The prefix to match, 1 to 256 characters. */
  Value: string;
  /** `starts_with`, the only operator. */
  Operator: `${CustomerFilterOperatorEnum}`;
}

/** What `listCustomers` lists. */
export interface CustomerListQuery {
  /** Customers per page, 1 to 500 (the service's default, 500, when omitted). */
  size?: number;
  /** Only the customers that match. */
  filter?: CustomerFilter;
}
