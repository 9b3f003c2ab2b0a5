// What the customer and usage domain needs from storage: partners with their billing period,
// customers in a stable order with their usage, seeded from the config at start. The domain sees
// only this interface; `startServer` picks the engine (SQLite today).

/** What a customer's usage-based subscription reports in the current billing period. */
export interface SubscriptionUsage {
  /** `azurePlan` reports `currency` as an ISO 4217 code, `legacy` as a locale. */
  readonly offer: 'azurePlan' | 'legacy';
  readonly currency: string;
  /** Decimal text with every digit. */
  readonly cost: string;
  /** Azure plans, when known. */
  readonly usdCost: string | undefined;
  /** date-time. */
  readonly lastModified: string;
}

export interface CustomerRecord {
  /** Lower-case tenant GUID. */
  readonly id: string;
  readonly companyName: string;
  readonly domain: string;
  readonly relationship: string;
  readonly associatedPartnerId: string | undefined;
  readonly indirectProvider: string | undefined;
  /** `undefined`: no usage-based subscription. */
  readonly usage: SubscriptionUsage | undefined;
}

export interface PartnerRecord {
  readonly id: string;
  readonly name: string;
  readonly billingStart: string;
  readonly billingEnd: string;
  readonly currencyLocale: string;
}

/** A partner and its customers in their listing order, each with the budget it starts with. */
export interface PortfolioSeed extends PartnerRecord {
  readonly customers: readonly (CustomerRecord & { readonly budget: string | null })[];
}

/** The customer fields a listing filters on, case-insensitively, by prefix. */
export type CustomerField = 'companyName' | 'domain' | 'associatedPartnerId' | 'indirectProvider';

export interface CustomerPrefix {
  readonly field: CustomerField;
  /** Compared without regard to case. */
  readonly prefix: string;
}

/** A customer with a usage-based subscription and its current budget. */
export interface CustomerUsage {
  readonly customer: CustomerRecord & { readonly usage: SubscriptionUsage };
  /** Canonical decimal text; `null` when no budget is set. */
  readonly budget: string | null;
}

export interface CustomerStore {
  /**
   * Makes the config's partners and customers those of `portfolio`, in its order, atomically; a
   * namespace's (`NamespaceStore`) are never touched. A budget of the portfolio is set only where
   * the customer has none recorded yet (set or cleared), so the API's changes survive a restart.
   */
  seed(portfolio: readonly PortfolioSeed[]): Promise<void>;
  partner(partnerId: string): Promise<PartnerRecord | undefined>;
  /** The partner's customers in their stable order, from `offset`, at most `limit`. */
  listCustomers(
    partnerId: string,
    filter: CustomerPrefix | undefined,
    offset: number,
    limit: number,
  ): Promise<CustomerRecord[]>;
  /** The customer and its budget; `undefined` for an unknown customer. */
  customer(
    partnerId: string,
    customerId: string,
  ): Promise<{ customer: CustomerRecord; budget: string | null } | undefined>;
  /** How many customers of the partner have a usage-based subscription. */
  usageCount(partnerId: string): Promise<number>;
  /**
   * Every customer of the partner with a usage-based subscription, in order, with its budget: in
   * batches of at most `batchSize`, each read when it is asked for. A portfolio of 50,000 takes
   * about a second to read whole; read a batch at a time, other requests are served in between.
   * Each batch reads the budgets of that moment, so a budget updated during a long read shows in
   * the batches after the update. Each batch is one query: outside any transaction.
   */
  usageBatches(partnerId: string, batchSize?: number): AsyncIterable<CustomerUsage[]>;
}
