import { readFileSync } from 'node:fs';
import { spec } from '@usagebudget/openapi';
import { nodeAt } from '@usagebudget/openapi/pointer';
import { exactDecimal } from '@usagebudget/openapi/rules';
import { SPEC_TOKEN_KINDS, type SpecTokenKind } from '../contract/compile-contract.js';
import { specValidator } from '../contract/spec-validator.js';
import { generatePortfolio } from './demo-portfolio.js';

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
export interface Customer extends CustomerConfig {
  readonly name: string;
  readonly domain: string;
  readonly relationship: string;
  readonly offer: Offer;
  readonly budget: number | null;
}

/** A partner with every default filled in and its generated customers listed; still a valid `PartnerConfig`. */
export interface Partner extends PartnerConfig {
  readonly tokens: readonly Required<TokenConfig>[];
  readonly customers: readonly Customer[];
  readonly billingPeriod: BillingPeriod;
  readonly currencyLocale: string;
  readonly generatedCustomers?: undefined;
}

/** A checked config: what `parseConfig` returns, and itself a valid config. */
export interface ResolvedConfig extends ServerConfig {
  readonly partners: readonly Partner[];
}

// RFC 6750's b64token: what may follow `Bearer ` in an Authorization header.
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_GENERATED = 100_000;
const MIN_SECRET = 32;

// Each value the API returns is checked with the schema the spec gives it.
const specCheck = (pointer: string) => specValidator.compile(pointer);
const isGuid = specCheck('#/components/schemas/Customer/properties/id');
const isCurrencyCode = specCheck('#/components/schemas/CustomerUsageSummary/properties/currencyCode');
const isCurrencyLocale = specCheck('#/components/schemas/CustomerUsageSummary/properties/currencyLocale');
const isDateTime = specCheck('#/components/schemas/CustomerUsageSummary/properties/lastModifiedDate');
const isDecimal = specCheck('#/components/schemas/Decimal');
const isBudget = specCheck('#/components/schemas/SpendingBudget/properties/amount');
const RELATIONSHIPS = (
  nodeAt(spec, '#/components/schemas/Customer/properties/relationshipToPartner') as { enum: string[] }
).enum;
const OFFERS: readonly Offer[] = ['azurePlan', 'legacy', 'none'];

/** A config that cannot be used, with every problem found, each naming its place in the file. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(
      problems.length === 1
        ? `${source}: ${problems[0]}`
        : `${source}: ${problems.length} problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  }
}

/** Every problem found in a config, each with its place in the file. */
class Problems {
  readonly found: string[] = [];
  add(where: string, message: string): undefined {
    this.found.push(`${where} ${message}`);
    return undefined;
  }
}

type Fields = Record<string, unknown>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first instant of this month and of the next, UTC, in the spec's date-time form. */
function currentMonth(now: Date): BillingPeriod {
  const at = (year: number, month: number) =>
    `${new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10)}T00:00:00+00:00`;
  return { start: at(now.getUTCFullYear(), now.getUTCMonth()), end: at(now.getUTCFullYear(), now.getUTCMonth() + 1) };
}

class ConfigReader {
  readonly problems = new Problems();
  // Seconds, like Partner Center's own timestamps; the same for every default of one read.
  readonly now = new Date(Math.floor(Date.now() / 1000) * 1000);

  object(value: unknown, where: string, keys: readonly string[]): Fields | undefined {
    if (!isRecord(value)) return this.problems.add(where, 'must be an object');
    const unknown = Object.keys(value).filter((key) => !keys.includes(key));
    if (unknown.length > 0) this.problems.add(where, `has unknown keys: ${unknown.join(', ')}`);
    return value;
  }

  text(value: unknown, where: string): string | undefined {
    if (typeof value !== 'string' || value.trim() === '') return this.problems.add(where, 'must be a non-empty string');
    return value;
  }

  optionalText(value: unknown, where: string): string | undefined {
    return value === undefined ? undefined : this.text(value, where);
  }

  list<T>(value: unknown, where: string, item: (entry: unknown, at: string) => T | undefined): T[] {
    if (!Array.isArray(value)) {
      this.problems.add(where, 'must be an array');
      return [];
    }
    return value.flatMap((entry, index) => {
      const read = item(entry, `${where}[${index}]`);
      return read === undefined ? [] : [read];
    });
  }

  checked(value: unknown, where: string, check: (value: unknown) => { valid: boolean }, expected: string) {
    if (!check(value).valid) return this.problems.add(where, `must be ${expected}`);
    return value as string;
  }

  positive(value: unknown, where: string, integer: boolean): number | undefined {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      return this.problems.add(where, `must be a positive ${integer ? 'integer' : 'number'}`);
    }
    return value;
  }

  token(value: unknown, where: string): Required<TokenConfig> | undefined {
    const fields = typeof value === 'string' ? { token: value } : this.object(value, where, ['token', 'kind']);
    if (!fields) return undefined;
    const at = typeof value === 'string' ? where : `${where}.token`;
    if (typeof fields.token !== 'string' || !BEARER_TOKEN.test(fields.token)) {
      return this.problems.add(at, 'must be a bearer token (letters, digits and -._~+/, then any =)');
    }
    const kind = fields.kind ?? 'app+user';
    if (!(SPEC_TOKEN_KINDS as readonly unknown[]).includes(kind)) {
      return this.problems.add(`${where}.kind`, `must be ${SPEC_TOKEN_KINDS.join(' or ')}`);
    }
    return { token: fields.token, kind: kind as TokenKind };
  }

  cost(value: unknown, where: string): string | undefined {
    if (typeof value === 'number') {
      return this.problems.add(
        where,
        'must be a string of decimal digits such as "28.82860766744404945074": a JSON number loses digits',
      );
    }
    if (!isDecimal(value).valid || (value as string).startsWith('-')) {
      return this.problems.add(where, 'must be a decimal string of at least 0, such as "28.82860766744404945074"');
    }
    return value as string;
  }

  customer(value: unknown, where: string, partnerLocale: string): Customer | undefined {
    if (typeof value === 'string') {
      const id = this.checked(value, where, isGuid, 'a GUID');
      if (id === undefined) return undefined;
      return this.customer({ id }, where, partnerLocale);
    }
    const fields = this.object(value, where, [
      'id',
      'name',
      'domain',
      'relationship',
      'associatedPartnerId',
      'indirectProvider',
      'offer',
      'currency',
      'cost',
      'usdCost',
      'budget',
      'lastModified',
    ]);
    if (!fields) return undefined;
    const id = this.checked(fields.id, `${where}.id`, isGuid, 'a GUID')?.toLowerCase();
    const name = fields.name === undefined ? `Customer ${id?.slice(0, 8)}` : this.text(fields.name, `${where}.name`);
    const domain =
      fields.domain === undefined
        ? `${(name ?? '').toLowerCase().replace(/[^a-z0-9]/g, '') || 'customer'}.onmicrosoft.com`
        : this.text(fields.domain, `${where}.domain`);
    const relationship = fields.relationship ?? 'reseller';
    if (!RELATIONSHIPS.includes(relationship as string)) {
      this.problems.add(`${where}.relationship`, `must be one of ${RELATIONSHIPS.join(', ')}`);
    }
    const associatedPartnerId = this.optionalText(fields.associatedPartnerId, `${where}.associatedPartnerId`);
    const indirectProvider = this.optionalText(fields.indirectProvider, `${where}.indirectProvider`);
    const offer = (fields.offer ?? 'azurePlan') as Offer;
    if (!OFFERS.includes(offer)) this.problems.add(`${where}.offer`, `must be ${OFFERS.join(', ')}`);
    const budget = fields.budget ?? null;
    if (
      budget !== null &&
      (!isBudget(budget).valid || typeof budget !== 'number' || exactDecimal(String(budget)) === undefined)
    ) {
      this.problems.add(`${where}.budget`, 'must be a number of at least 0, or null for no budget');
    }
    const base = {
      id: id ?? '',
      name: name ?? '',
      domain: domain ?? '',
      relationship: relationship as string,
      ...(associatedPartnerId === undefined ? {} : { associatedPartnerId }),
      ...(indirectProvider === undefined ? {} : { indirectProvider }),
      offer,
      budget: budget as number | null,
    };
    if (offer === 'none') {
      for (const key of ['currency', 'cost', 'usdCost', 'lastModified'] as const) {
        if (fields[key] !== undefined)
          this.problems.add(
            `${where}.${key}`,
            'is usage, which a customer without a usage-based subscription (offer none) has not',
          );
      }
      return base;
    }
    const cost = fields.cost === undefined ? '0' : this.cost(fields.cost, `${where}.cost`);
    const lastModified =
      fields.lastModified === undefined
        ? this.now.toISOString().replace(/\.000Z$/, '+00:00')
        : this.checked(
            fields.lastModified,
            `${where}.lastModified`,
            isDateTime,
            'a date-time such as 2024-05-20T06:12:41+00:00',
          );
    if (offer === 'legacy') {
      const currency = fields.currency ?? partnerLocale;
      if (currency !== partnerLocale) {
        this.problems.add(
          `${where}.currency`,
          `must be the partner's currencyLocale ${partnerLocale} (or be left out): legacy offers are billed, and summed in the partner usage summary, in that locale's currency`,
        );
      }
      if (fields.usdCost !== undefined) this.problems.add(`${where}.usdCost`, 'is reported for Azure plans only');
      return { ...base, currency: partnerLocale, cost: cost ?? '0', lastModified: lastModified ?? '' };
    }
    const currency = this.checked(
      fields.currency ?? 'USD',
      `${where}.currency`,
      isCurrencyCode,
      'an ISO 4217 code such as EUR',
    );
    const usdCost =
      fields.usdCost === undefined
        ? currency === 'USD'
          ? cost
          : undefined
        : this.cost(fields.usdCost, `${where}.usdCost`);
    return {
      ...base,
      currency: currency ?? '',
      cost: cost ?? '0',
      ...(usdCost === undefined ? {} : { usdCost }),
      lastModified: lastModified ?? '',
    };
  }

  billingPeriod(value: unknown, where: string): BillingPeriod | undefined {
    if (value === undefined) return currentMonth(this.now);
    const fields = this.object(value, where, ['start', 'end']);
    if (!fields) return undefined;
    const expected = 'a date-time such as 2024-05-01T00:00:00+00:00';
    const start = this.checked(fields.start, `${where}.start`, isDateTime, expected);
    const end = this.checked(fields.end, `${where}.end`, isDateTime, expected);
    if (start === undefined || end === undefined) return undefined;
    if (Date.parse(start) >= Date.parse(end)) return this.problems.add(`${where}.end`, 'must come after start');
    return { start, end };
  }

  partner(value: unknown, where: string): Partner | undefined {
    const fields = this.object(value, where, [
      'id',
      'name',
      'tokens',
      'customers',
      'billingPeriod',
      'currencyLocale',
      'generatedCustomers',
    ]);
    if (!fields) return undefined;
    const id = this.checked(fields.id, `${where}.id`, isGuid, "a GUID (the partner's tenant ID)");
    const name = this.text(fields.name, `${where}.name`);
    const tokens = this.list(fields.tokens, `${where}.tokens`, (token, at) => this.token(token, at));
    const currencyLocale = this.checked(
      fields.currencyLocale ?? 'en-US',
      `${where}.currencyLocale`,
      isCurrencyLocale,
      'a locale such as en-US',
    );
    const locale = currencyLocale ?? 'en-US';
    const customers = this.list(fields.customers, `${where}.customers`, (customer, at) =>
      this.customer(customer, at, locale),
    );
    if (fields.generatedCustomers !== undefined) {
      const at = `${where}.generatedCustomers`;
      const generated = this.object(fields.generatedCustomers, at, ['count', 'seed']);
      const count = generated && this.positive(generated.count, `${at}.count`, true);
      const seed = generated && this.text(generated.seed, `${at}.seed`);
      if (count !== undefined && count > MAX_GENERATED)
        this.problems.add(`${at}.count`, `must be at most ${MAX_GENERATED}`);
      else if (count !== undefined && seed !== undefined && id !== undefined) {
        generatePortfolio({ partnerId: id, seed, count, currencyLocale: locale }).forEach((customer, index) => {
          const read = this.customer(customer, `${at} (customer ${index})`, locale);
          if (read) customers.push(read);
        });
      }
    }
    const billingPeriod = this.billingPeriod(fields.billingPeriod, `${where}.billingPeriod`);
    if (id === undefined || name === undefined || billingPeriod === undefined) return undefined;
    return { id, name, tokens, customers, billingPeriod, currencyLocale: locale };
  }

  unique(values: readonly { value: string; where: string }[], what: string): void {
    const seen = new Map<string, string>();
    for (const { value, where } of values) {
      const first = seen.get(value);
      if (first === undefined) seen.set(value, where);
      else this.problems.add(where, `repeats ${what} ${JSON.stringify(value)} of ${first}`);
    }
  }

  config(value: unknown): ResolvedConfig | undefined {
    const root = this.object(value, 'the config', ['partners', 'throttle', 'continuationTokenSecret']);
    if (!root) return undefined;
    const partners = this.list(root.partners, 'partners', (entry, at) => this.partner(entry, at));
    if (Array.isArray(root.partners) && root.partners.length === 0)
      this.problems.add('partners', 'must list at least one partner');
    this.unique(
      partners.map((partner, index) => ({ value: partner.id.toLowerCase(), where: `partners[${index}].id` })),
      'the partner id',
    );
    this.unique(
      partners.flatMap((partner, index) =>
        partner.tokens.map((token, at) => ({ value: token.token, where: `partners[${index}].tokens[${at}]` })),
      ),
      'the token',
    );
    this.unique(
      partners.flatMap((partner, index) =>
        partner.customers.map((customer, at) => ({ value: customer.id, where: `partners[${index}].customers[${at}]` })),
      ),
      'the customer',
    );
    let throttle: ThrottleConfig | undefined;
    if (root.throttle !== undefined) {
      const fields = this.object(root.throttle, 'throttle', ['requestsPerSecond', 'burst']);
      const requestsPerSecond = fields && this.positive(fields.requestsPerSecond, 'throttle.requestsPerSecond', false);
      const burst = fields && this.positive(fields.burst, 'throttle.burst', true);
      if (requestsPerSecond !== undefined && burst !== undefined) throttle = { requestsPerSecond, burst };
    }
    const secret = root.continuationTokenSecret;
    if (secret !== undefined && (typeof secret !== 'string' || secret.length < MIN_SECRET)) {
      this.problems.add('continuationTokenSecret', `must be a string of at least ${MIN_SECRET} characters`);
    }
    return {
      partners,
      ...(throttle ? { throttle } : {}),
      ...(typeof secret === 'string' ? { continuationTokenSecret: secret } : {}),
    };
  }
}

/**
 * Checks a parsed config; `source` names it in error messages, which list every problem with its
 * place in the file. Fills in every default, generates `generatedCustomers`, lower-cases customer
 * ids. The result is itself a valid config, which parses to the same result.
 */
export function parseConfig(value: unknown, source = 'config'): ResolvedConfig {
  const reader = new ConfigReader();
  const config = reader.config(value);
  const found = reader.problems.found;
  if (found.length > 0 || !config) throw new ConfigError(source, found);
  return config;
}

/** Reads and checks a JSON config file. */
export function loadConfig(file: string): ResolvedConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  return parseConfig(parsed, file);
}
