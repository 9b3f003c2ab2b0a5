// Reads a config (a file, an object, a mock's seed) into a `ResolvedConfig`: each value checked
// against the spec's schema for it, every problem named with its place, every default filled in.
import { readFileSync } from 'node:fs';
import { spec } from '@usagebudget/openapi';
import { nodeAt } from '@usagebudget/openapi/pointer';
import { exactDecimal } from '@usagebudget/openapi/rules';
import { SPEC_TOKEN_KINDS } from '../contract/compile-contract.js';
import { specValidator } from '../contract/spec-validator.js';
import type {
  BillingPeriod,
  Offer,
  ResolvedConfig,
  ResolvedCustomer,
  ResolvedPartner,
  ThrottleConfig,
  TokenConfig,
  TokenKind,
} from './config-format.js';
import { generatePortfolio } from './demo-portfolio.js';

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
const CUSTOMER_KEYS = [
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
] as const;
/** The keys of a customer's usage, which a customer without a usage-based subscription has not. */
const USAGE_KEYS = ['currency', 'cost', 'usdCost', 'lastModified'] as const;

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

  customer(value: unknown, where: string, partnerLocale: string): ResolvedCustomer | undefined {
    if (typeof value === 'string') {
      const id = this.checked(value, where, isGuid, 'a GUID');
      if (id === undefined) return undefined;
      return this.customer({ id }, where, partnerLocale);
    }
    const fields = this.object(value, where, CUSTOMER_KEYS);
    if (!fields) return undefined;
    const base = this.customerBase(fields, where);
    return base.offer === 'none'
      ? this.withoutUsage(base, fields, where)
      : this.withUsage(base, fields, where, partnerLocale);
  }

  /** Who the customer is, its offer and its starting budget: what every customer has. */
  customerBase(fields: Fields, where: string): ResolvedCustomer {
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
    return {
      id: id ?? '',
      name: name ?? '',
      domain: domain ?? '',
      relationship: relationship as string,
      ...(associatedPartnerId === undefined ? {} : { associatedPartnerId }),
      ...(indirectProvider === undefined ? {} : { indirectProvider }),
      offer,
      budget: this.budget(fields.budget ?? null, `${where}.budget`),
    };
  }

  /** A starting budget the API would keep exactly, or `null`. */
  budget(value: unknown, where: string): number | null {
    if (
      value !== null &&
      (!isBudget(value).valid || typeof value !== 'number' || exactDecimal(String(value)) === undefined)
    ) {
      this.problems.add(where, 'must be a number of at least 0, or null for no budget');
    }
    return value as number | null;
  }

  /** A customer without a usage-based subscription (offer `none`): given no usage. */
  withoutUsage(base: ResolvedCustomer, fields: Fields, where: string): ResolvedCustomer {
    for (const key of USAGE_KEYS) {
      if (fields[key] !== undefined)
        this.problems.add(
          `${where}.${key}`,
          'is usage, which a customer without a usage-based subscription (offer none) has not',
        );
    }
    return base;
  }

  /** A customer with a usage-based subscription: this period's cost, in its offer's currency. */
  withUsage(base: ResolvedCustomer, fields: Fields, where: string, partnerLocale: string): ResolvedCustomer {
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
    if (base.offer === 'legacy') {
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

  partner(value: unknown, where: string): ResolvedPartner | undefined {
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
