// The spec's rules on values that code outside a validator checks too: the client and the CLI
// before they send, the server on what it stores. No import: the client inlines this module into
// its own build, and must not pull the spec or Ajv in with it.

/**
 * A GUID as the spec means it, for `format: uuid` and the `MS-RequestId` / `MS-CorrelationId`
 * pattern alike: canonical 8-4-4-4-12 hex, either case; no `urn:uuid:` prefix, no braces.
 */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a GUID the spec accepts (see {@link GUID_PATTERN}). */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID_PATTERN.test(value);
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A decimal's value as `digits e exponent`, without leading or trailing zeros: equal keys, equal values. */
function decimalKey(text: string): string | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  let scale = Number(exponent) - fraction.length;
  const trimmed = digits.replace(/0+$/, '');
  scale += digits.length - trimmed.length;
  digits = trimmed;
  return `${sign}${digits}e${scale}`;
}

/**
 * The canonical JSON text of a decimal's exact value, or `undefined` when a JSON reader (a
 * double) cannot give that value back exactly: too many significant digits, or out of range. The
 * spec's amounts are decimals that "servers must keep exact": this is what exact means.
 *
 * The canonical text is the shortest text that round-trips through a double, which is what every
 * JSON writer emits, so storing it as text and writing it back verbatim keeps `123.45` as `123.45`.
 * Accepts any JSON number text (`123.450`, `1.5E-7`, `-0`).
 */
export function exactDecimal(jsonNumberText: string): string | undefined {
  const canonical = String(Number(jsonNumberText));
  const key = decimalKey(jsonNumberText);
  if (key === undefined || decimalKey(canonical) !== key) return undefined;
  // -0 has the key of 0; it is written 0.
  return key === '0' ? '0' : canonical;
}

/**
 * The one spelling of an amount as people write it (a budget typed on a command line, a cell of a
 * spreadsheet, the text of a bulk entry): digits, optionally a `.` and decimals, such as
 * `1250.50`. No sign, exponent or grouping, and neither `.5` nor `5.`: `1,250.50` is 1250.5 in one
 * locale and 1.2505 in another, so any other spelling is refused rather than read as someone
 * may have meant it.
 */
export const AMOUNT_SPELLING = /^\d+(?:\.\d+)?$/;

/**
 * The canonical decimal ({@link exactDecimal}) of an amount written in {@link AMOUNT_SPELLING},
 * or `undefined` when it is spelled otherwise or a JSON number cannot carry it exactly:
 * `spelledAmount('250.50')` is `'250.5'`, `spelledAmount('.5')` is `undefined`.
 */
export function spelledAmount(text: string): string | undefined {
  return AMOUNT_SPELLING.test(text) ? exactDecimal(text) : undefined;
}

/** The spec's `Decimal` (`format: decimal`): plain notation, an optional sign, digits, optionally a point and more. */
export const DECIMAL_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?$/;

// Exact decimal arithmetic for money: costs carry more digits than a double holds, so they are
// computed on as `units × 10^-scale` with bigints, never as numbers.

/** An exact decimal: `units × 10^-scale`, `scale` at least 0. */
interface Scaled {
  readonly units: bigint;
  readonly scale: number;
}

// A decimal with an exponent this large is no amount of money; refusing it keeps bigints small.
const MAX_EXPONENT = 400;

function scaled(text: string): Scaled {
  const match = DECIMAL.exec(text);
  const exponent = Number(match?.[4] ?? '0');
  if (!match || Math.abs(exponent) > MAX_EXPONENT) throw new RangeError(`not a decimal: ${text.slice(0, 64)}`);
  const [, sign = '', whole = '', fraction = ''] = match;
  const units = BigInt(`${sign}${whole}${fraction}`);
  const scale = fraction.length - exponent;
  return scale >= 0 ? { units, scale } : { units: units * 10n ** BigInt(-scale), scale: 0 };
}

/** Both at the larger scale, so their units compare and add. */
function aligned(a: Scaled, b: Scaled): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

/** Plain notation (no exponent), without trailing zeros after the point: a `Decimal` of the spec. */
function plain({ units, scale }: Scaled): string {
  const negative = units < 0n;
  let digits = (negative ? -units : units).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
  }
  return negative && digits !== '0' ? `-${digits}` : digits;
}

/**
 * Any JSON number text (`1e+21`, `0.50`, `-0`) as the spec's `Decimal`: plain notation, same
 * value, no trailing zeros. Throws a `RangeError` on text that is not a number.
 */
export function plainDecimal(jsonNumberText: string): string {
  return plain(scaled(jsonNumberText));
}

/** Compares two decimals (JSON number texts) exactly: negative, 0 or positive, as `a - b` is. */
export function compareDecimals(a: string, b: string): number {
  const [x, y] = aligned(scaled(a), scaled(b));
  return x === y ? 0 : x < y ? -1 : 1;
}

/** The exact sum of decimals (JSON number texts), as a `Decimal`; `0` for none. */
export function sumDecimals(values: readonly string[]): string {
  let total: Scaled = { units: 0n, scale: 0 };
  for (const value of values) {
    const [x, y, scale] = aligned(total, scaled(value));
    total = { units: x + y, scale };
  }
  return plain(total);
}

/** The exact product of two decimals (JSON number texts), as a `Decimal`. */
export function multiplyDecimals(a: string, b: string): string {
  const x = scaled(a);
  const y = scaled(b);
  return plain({ units: x.units * y.units, scale: x.scale + y.scale });
}

/**
 * The spec's `percentUsed`: `100 × totalCost ÷ budget`, on the exact values, rounded to two
 * decimals half away from zero; `0` without a budget (`null`) or with a budget of 0, where the
 * ratio is undefined. Takes JSON number texts and returns the `Decimal` text, e.g.
 * `percentUsed('120.5682999999995904716', '20')` is `'602.84'`.
 */
export function percentUsed(totalCost: string, budget: string | null): string {
  if (budget === null) return '0';
  const amount = scaled(budget);
  if (amount.units === 0n) return '0';
  const cost = scaled(totalCost);
  // In hundredths of a percent: 100 × 100 × cost ÷ budget, each side brought to whole units.
  const numerator = 10_000n * cost.units * 10n ** BigInt(amount.scale);
  const denominator = amount.units * 10n ** BigInt(cost.scale);
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const hundredths = (2n * n + d) / (2n * d);
  return plain({ units: negative ? -hundredths : hundredths, scale: 2 });
}

/** `percentUsed` from which a customer within its budget is trending over it: Partner Center's e-mail threshold. */
export const TRENDING_OVER_PERCENT = '80';

/** Where a customer's cost stands against its budget, as the spec's partner usage summary counts it. */
export type BudgetStanding = 'noBudget' | 'overBudget' | 'trendingOver' | 'withinBudget';

/**
 * The spec's rule: **over budget** when there is a budget and `totalCost` exceeds it (a budget
 * of 0 too); **trending over** when not over it and `percentUsed` is 80 or more. Takes JSON
 * number texts; `budget` is `null` when none is set.
 */
export function budgetStanding(totalCost: string, budget: string | null): BudgetStanding {
  if (budget === null) return 'noBudget';
  if (compareDecimals(totalCost, budget) > 0) return 'overBudget';
  return compareDecimals(percentUsed(totalCost, budget), TRENDING_OVER_PERCENT) >= 0 ? 'trendingOver' : 'withinBudget';
}

/**
 * The names of the members that the text of a JSON object gives more than once, at its top level,
 * in the order they repeat. JSON.parse keeps only the last of them, so only the text shows them;
 * the spec's `filter` takes each member once. Names compare as JSON reads them (`"F\u0069eld"` is
 * `Field`). For text that is not a JSON object the answer means nothing: parse it first.
 */
export function repeatedJsonMembers(jsonObjectText: string): string[] {
  const text = jsonObjectText;
  const seen = new Set<string>();
  const repeated = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
    else if (char === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const token = text.slice(i, end + 1);
      i = end;
      if (depth !== 1) continue;
      // A string of the top level is a member's name when a colon follows it.
      let next = end + 1;
      while (next < text.length && ' \t\n\r'.includes(text[next] as string)) next++;
      if (text[next] !== ':') continue;
      const name = JSON.parse(token) as string;
      if (seen.has(name)) repeated.add(name);
      else seen.add(name);
    }
  }
  return [...repeated];
}
