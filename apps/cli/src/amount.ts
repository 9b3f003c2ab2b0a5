import { AMOUNT_SPELLING, spelledAmount } from '@usagebudget/openapi/rules';
import { CommandLineError } from './command-line/error.js';
import { quotedInput } from './quoted-input.js';

const EXPONENT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)e[+-]?\d+$/i;
const EXPECTED = 'expected digits, optionally a "." and decimals, such as 1250.50';

/** Why an amount that is not in the one spelling was refused: what is expected, and a hint for a near miss. */
function spellingProblem(text: string): string {
  // "1,5" is 1.5 in some locales and 15 in others; "1,250.50" is 1250.5 in others still: refuse to guess.
  if (text.includes(',')) {
    return `${EXPECTED}: a comma is a decimal separator in some locales and a thousands separator in others (a spreadsheet exports amounts in the locale it runs in: export with "." as the decimal separator and no thousands separator)`;
  }
  if (EXPONENT.test(text)) return `${EXPECTED}, without an exponent (1000, not 1e3)`;
  if (/^\.\d+$/.test(text)) return `${EXPECTED} (0${text}, not ${text})`;
  if (/^\d+\.$/.test(text)) return `${EXPECTED} (${text.slice(0, -1)}, not ${text})`;
  if (/^\+\d/.test(text)) return `${EXPECTED}, without a sign`;
  return EXPECTED;
}

/**
 * What is wrong with an amount as typed (`set`'s argument, a budget cell of `apply`'s file), or
 * `undefined` when it is a decimal >= 0 in the one spelling amounts have here (digits, optionally
 * a "." and decimals: `250.50`; spaces around it are ignored), and is sent exactly. Every other
 * spelling is refused rather than read as someone meant it: `1,250.50` is 1250.5 in one locale and
 * 1.2505 in another. The client sends a JS number, so an amount that a double cannot hold exactly
 * is refused rather than rounded: the server keeps decimals exact and the budget must be what the
 * user typed.
 */
export function amountProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'it is empty';
  if (/^-\d|^-\.\d/.test(trimmed)) return 'a budget cannot be negative ("usagebudget clear" removes one)';
  // The one spelling of an amount (the spec package's rule, which the client's bulk operation applies too).
  if (!AMOUNT_SPELLING.test(trimmed)) return spellingProblem(trimmed);
  // The spec's rule of exact amounts, the one the server applies to what it stores.
  if (spelledAmount(trimmed) === undefined) {
    return 'it has more significant digits than can be sent exactly (15 are always safe)';
  }
  return undefined;
}

/** Reads the amount of `set` (see {@link amountProblem}); a `CommandLineError` saying what is wrong otherwise. */
export function parseAmount(text: string): number {
  const problem = amountProblem(text);
  if (problem !== undefined) throw new CommandLineError(`invalid amount ${quotedInput(text)}: ${problem}`, 'set');
  return Number(text.trim());
}

/** A budget for people: plain notation with at least two decimals (`250.50`, `100.00`, `0.125`). */
export function formatAmount(value: number): string {
  const [whole, fraction = ''] = plainDecimal(value).split('.');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

/** `String(value)` without the exponent it uses below 1e-6 and from 1e21. */
function plainDecimal(value: number): string {
  const sign = value < 0 ? '-' : '';
  const [mantissa = '', exponentText] = String(Math.abs(value)).split('e');
  if (exponentText === undefined) return sign + mantissa;
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  const point = whole.length + Number(exponentText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
