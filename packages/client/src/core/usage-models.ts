import type {
  CustomerFilterFieldEnum,
  CustomerFilterOperatorEnum,
  ApiFault as GeneratedApiFault,
  CustomerFilter as GeneratedCustomerFilter,
  CustomerMonthlyUsageRecord as GeneratedCustomerMonthlyUsageRecord,
  CustomerUsageSummary as GeneratedCustomerUsageSummary,
  PartnerUsageSummary as GeneratedPartnerUsageSummary,
} from '../generated/models/index.js';

// The generated models (openapi-generator's, src/generated/models/) are the one set a client user
// gets. Where the facade gives more than the generator can say, these refine them, member for
// member, and restate nothing else: the spec leaves a cost and `ApiFault.code` untyped for code
// generators (a union of primitives in `x-anyOf`), so the generated models type them `any`; the
// facade gives a cost as a string, every digit kept, and a code as the spec's union. And the
// generated filter's TypeScript enums would refuse a plain `'CompanyName'`.

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
 * The body of an error response (all but `429`): the spec's `ApiFault`, its `code` the spec's
 * union where the generated model has `any`. The client's tests check it against the generated
 * model, member for member.
 */
export interface ApiFault extends Omit<GeneratedApiFault, 'code'> {
  /** Partner Center's error code: numeric in practice (`60003`), a string for some (`InvalidFilter`). */
  code: number | string;
}

/**
 * `listCustomers`' filter: the customers whose `Field` starts with `Value`, regardless of case,
 * e.g. `{ Field: 'CompanyName', Value: 'Cont', Operator: 'starts_with' }`. The generated model,
 * with its enums' values as strings.
 */
export interface CustomerFilter extends Omit<GeneratedCustomerFilter, 'Field' | 'Operator'> {
  /** `CompanyName`, `Domain`, `IndirectReseller` or `IndirectCloudSolutionProvider`. */
  Field: `${CustomerFilterFieldEnum}`;
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
