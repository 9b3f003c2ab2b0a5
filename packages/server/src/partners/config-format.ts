// The config's format: what a config file (or a mock's seed) may say, and what reading it gives
// (every default filled in, generated customers listed). Read and checked by `config-reader.ts`.
import type { SpecTokenKind } from '../contract/compile-contract.js';

/** A kind of access token, as the spec's `x-token-kinds` names them. */
export type TokenKind = SpecTokenKind;

export interface TokenConfig {
  readonly token: string;
  /** Default `app+user`, which every operation accepts. */
  readonly kind?: TokenKind;
}

/** How a customer uses Azure: an Azure plan, a legacy Microsoft Azure offer (MS-AZR-0145P), or neither. */
export type Offer = 'azurePlan' | 'legacy' | 'none';

/** A customer in the config file; only `id` is required. */
export interface CustomerConfig {
  /** The customer's tenant ID, a GUID. */
  readonly id: string;
  /** The company name; default `Customer <first 8 hex digits of the id>`. */
  readonly name?: string;
  /** The initial domain; default `<letters and digits of the name>.onmicrosoft.com`. */
  readonly domain?: string;
  /** `relationshipToPartner`, one of the spec's values; default `reseller`. */
  readonly relationship?: string;
  /** The indirect reseller's partner ID (`associatedPartnerId`; filter field `IndirectReseller`). */
  readonly associatedPartnerId?: string;
  /** The indirect provider's partner ID (filter field `IndirectCloudSolutionProvider`); not in responses. */
  readonly indirectProvider?: string;
  /** Default `azurePlan`. */
  readonly offer?: Offer;
  /** Azure plan: an ISO 4217 code (default `USD`). Legacy offer: the partner's `currencyLocale` (the default). */
  readonly currency?: string;
  /** This billing period's estimated cost, a decimal string with every digit (default `"0"`). */
  readonly cost?: string;
  /** The cost in US dollars (Azure plans); default the cost itself in USD, else none. */
  readonly usdCost?: string;
  /** The budget the customer starts with (`null`: none, the default); a PATCH later wins over it. */
  readonly budget?: number | null;
  /** When the usage figures were last updated (date-time); default the time the config was read. */
  readonly lastModified?: string;
}

export interface BillingPeriod {
  /** date-time, e.g. `2024-05-01T00:00:00+00:00`. */
  readonly start: string;
  readonly end: string;
}

export interface PartnerConfig {
  /** The partner's tenant ID, a GUID: the partner usage summary's `resourceId`, in 403s and logs. */
  readonly id: string;
  readonly name: string;
  /** Bearer tokens that authenticate as this partner: a string is an app+user token. */
  readonly tokens: readonly (string | TokenConfig)[];
  /** The partner's customers: a tenant GUID alone is an Azure plan in USD with no cost yet. */
  readonly customers: readonly (string | CustomerConfig)[];
  /** The current billing period; default the current calendar month (UTC). */
  readonly billingPeriod?: BillingPeriod;
  /** The locale of legacy offers' costs and of the partner usage summary; default `en-US`. */
  readonly currencyLocale?: string;
  /** Adds a generated portfolio of `count` customers after `customers` (deterministic per seed). */
  readonly generatedCustomers?: { readonly count: number; readonly seed: string };
}

/** A per-partner token bucket: `burst` requests at once, refilled at `requestsPerSecond`. */
export interface ThrottleConfig {
  readonly requestsPerSecond: number;
  readonly burst: number;
}

/** The config file's format. */
export interface ServerConfig {
  readonly partners: readonly PartnerConfig[];
  /** Absent: no throttling. */
  readonly throttle?: ThrottleConfig | undefined;
  /**
   * Signs continuation tokens (at least 32 characters), so that tokens outlive a restart. Absent:
   * a random secret per process.
   */
  readonly continuationTokenSecret?: string | undefined;
}

/** A customer with every default filled in; still a valid `CustomerConfig`. */
export interface ResolvedCustomer extends CustomerConfig {
  readonly name: string;
  readonly domain: string;
  readonly relationship: string;
  readonly offer: Offer;
  readonly budget: number | null;
}

/** A partner with every default filled in and its generated customers listed; still a valid `PartnerConfig`. */
export interface ResolvedPartner extends PartnerConfig {
  readonly tokens: readonly Required<TokenConfig>[];
  readonly customers: readonly ResolvedCustomer[];
  readonly billingPeriod: BillingPeriod;
  readonly currencyLocale: string;
  readonly generatedCustomers?: undefined;
}

/** A checked config: what `parseConfig` returns, and itself a valid config. */
export interface ResolvedConfig extends ServerConfig {
  readonly partners: readonly ResolvedPartner[];
}
