import { exactDecimal } from '@usagebudget/client';
import { UsageError } from './usage-error.js';

const PLAIN_DECIMAL = /^(?:\d+(?:\.\d+)?|\.\d+)$/;
const EXPONENT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)e[+-]?\d+$/i;

/**
 * What is wrong with an amount as typed (`set`'s argument, a budget cell of `apply`'s file), or
 * `undefined` when it is a decimal >= 0 in plain notation, such as `250.50`, that is sent exactly.
 * The client sends a JS number, so an amount that a double cannot hold exactly is refused rather
 * than rounded: the server keeps decimals exact and the budget must be what the user typed.
 */
export function amountProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'it is empty';
  if (/^-\d|^-\.\d/.test(trimmed)) return 'a budget cannot be negative ("usagebudget clear" removes one)';
  // "1,5" is 1.5 in some locales and 15 in others: refuse to guess.
  if (trimmed.includes(',')) return 'use a dot as the decimal separator and no thousands separator, e.g. 1250.50';
  if (EXPONENT.test(trimmed)) return 'write it without an exponent, e.g. 1000 rather than 1e3';
  if (!PLAIN_DECIMAL.test(trimmed)) return 'it is not a decimal number such as 250.50';
  // The spec's rule of exact amounts, the one the server applies to what it stores. It reads JSON
  // number text, where ".5" is written "0.5".
  if (exactDecimal(trimmed.startsWith('.') ? `0${trimmed}` : trimmed) === undefined) {
    return 'it has more significant digits than can be sent exactly (15 are always safe)';
  }
  return undefined;
}

/** Reads the amount of `set` (see {@link amountProblem}); a `UsageError` saying what is wrong otherwise. */
export function parseAmount(text: string): number {
  const problem = amountProblem(text);
  if (problem !== undefined) throw new UsageError(`invalid amount ${JSON.stringify(text)}: ${problem}`, 'set');
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
