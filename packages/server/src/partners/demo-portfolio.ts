import { multiplyDecimals } from '@usagebudget/openapi/rules';
import type { CustomerConfig } from './config-format.js';

/** What a generated portfolio depends on: the same inputs give the same customers, on any machine. */
export interface PortfolioRequest {
  /** Mixed into the seed, so that two partners with the same seed get different customers. */
  readonly partnerId: string;
  readonly seed: string;
  readonly count: number;
  /** The partner's locale, in which its legacy offers are billed. */
  readonly currencyLocale: string;
}

/** A small, fast PRNG (sfc32) seeded from a string (cyrb128): deterministic across platforms. */
function seededRandom(seed: string): () => number {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  let a = Math.imul(h3 ^ (h1 >>> 18), 597399067) >>> 0;
  let b = Math.imul(h4 ^ (h2 >>> 22), 2869860233) >>> 0;
  let c = Math.imul(h1 ^ (h3 >>> 17), 951274213) >>> 0;
  let d = Math.imul(h2 ^ (h4 >>> 19), 2716044179) >>> 0;
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

// Microsoft's fictitious company names; Contoso and Fabrikam are the hand-written demo customers.
const BRANDS = [
  'A. Datum',
  'Adventure Works',
  'Alpine Ski House',
  'Bellows College',
  'Best For You Organics',
  'Blue Yonder Airlines',
  'City Power & Light',
  'Coho Winery',
  'Consolidated Messenger',
  'Fourth Coffee',
  'Graphic Design Institute',
  'Humongous Insurance',
  'Lamna Healthcare',
  'Litware',
  'Lucerne Publishing',
  "Margie's Travel",
  'Munson’s Pickles and Preserves',
  'Northwind Traders',
  'Proseware',
  'Relecloud',
  'School of Fine Art',
  'Southridge Video',
  'Tailspin Toys',
  'Trey Research',
  'VanArsdel',
  'Wide World Importers',
  'Wingtip Toys',
  'Woodgrove Bank',
];

/** Where a customer is, the suffix of its name, its billing currency and a rough USD rate (illustrative). */
const MARKETS = [
  { name: 'US', currency: 'USD', usdRate: '1' },
  { name: 'Americas', currency: 'USD', usdRate: '1' },
  { name: 'Canada', currency: 'CAD', usdRate: '0.73' },
  { name: 'UK', currency: 'GBP', usdRate: '1.27' },
  { name: 'Ireland', currency: 'EUR', usdRate: '1.08' },
  { name: 'Deutschland', currency: 'EUR', usdRate: '1.08' },
  { name: 'France', currency: 'EUR', usdRate: '1.08' },
  { name: 'Nederland', currency: 'EUR', usdRate: '1.08' },
  { name: 'Sverige', currency: 'SEK', usdRate: '0.094' },
  { name: 'Norge', currency: 'NOK', usdRate: '0.093' },
  { name: 'Danmark', currency: 'DKK', usdRate: '0.145' },
  { name: 'Schweiz', currency: 'CHF', usdRate: '1.12' },
  { name: 'Japan', currency: 'JPY', usdRate: '0.0066' },
  { name: 'Australia', currency: 'AUD', usdRate: '0.66' },
] as const;

/** Budgets are round amounts; their unit in each currency keeps them realistic (JPY budgets are larger). */
const BUDGET_UNIT: Readonly<Record<string, number>> = { JPY: 10_000, SEK: 1_000, NOK: 1_000, DKK: 1_000 };

const RELATIONSHIPS = ['reseller', 'reseller', 'reseller', 'reseller', 'advisor'] as const;

function guid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/** `digits` random decimal digits. */
function digits(random: () => number, count: number): string {
  return Array.from({ length: count }, () => Math.floor(random() * 10)).join('');
}

/**
 * A cost with Partner Center's 20 fractional digits, more than a double holds: `whole` plus a
 * random fraction, e.g. `412.77360021458339691162`.
 */
function cost(random: () => number, whole: number): string {
  return `${Math.max(0, Math.floor(whole))}.${digits(random, 20)}`;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * A realistic portfolio: `count` customers in several markets and currencies, about 5% without a
 * usage-based subscription, 10% on a legacy Azure offer, the rest on Azure plans; a quarter without
 * a budget, and of those with one, about one in six over it and one in seven trending over it.
 * Deterministic: ids, names, costs and budgets depend only on the request.
 */
export function generatePortfolio(request: PortfolioRequest): CustomerConfig[] {
  const random = seededRandom(`${request.partnerId}\n${request.seed}`);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const names = new Set<string>();
  const domains = new Set<string>();
  const customers: CustomerConfig[] = [];
  for (let index = 0; index < request.count; index++) {
    const market = pick(MARKETS);
    let name = `${pick(BRANDS)} ${market.name}`;
    // Past the brand × market combinations, number the names so each stays unique.
    if (names.has(name)) name = `${name} ${index + 1}`;
    names.add(name);
    let domain = `${slug(name)}.onmicrosoft.com`;
    if (domains.has(domain)) domain = `${slug(name)}${index + 1}.onmicrosoft.com`;
    domains.add(domain);
    const customer: CustomerConfig = {
      id: guid(random),
      name,
      domain,
      relationship: pick(RELATIONSHIPS),
    };
    const kind = random();
    if (kind < 0.05) {
      customers.push({ ...customer, offer: 'none' });
      continue;
    }
    const legacy = kind < 0.15;
    const unit = BUDGET_UNIT[market.currency] ?? 100;
    const budget = random() < 0.25 ? null : unit * (1 + Math.floor(random() * 40));
    // How much of the budget is used: over it, trending over it (80% to 100%), or well under it.
    const standing = random();
    const ratio =
      standing < 1 / 6 ? 1 + random() * 2 : standing < 1 / 6 + 1 / 7 ? 0.8 + random() * 0.2 : random() * 0.78;
    const spent = budget === null ? unit * random() * 30 : budget * ratio;
    // A few customers have not used anything yet this period.
    const totalCost = random() < 0.03 ? '0' : cost(random, spent);
    customers.push(
      legacy
        ? { ...customer, offer: 'legacy', currency: request.currencyLocale, cost: totalCost, budget }
        : {
            ...customer,
            offer: 'azurePlan',
            currency: market.currency,
            cost: totalCost,
            usdCost: multiplyDecimals(totalCost, market.usdRate),
            budget,
          },
    );
  }
  return customers;
}
