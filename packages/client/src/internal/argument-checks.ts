import { ValidationError } from '../core/errors.js';
import { MAX_TIMER_MS } from './waiting.js';

/** Throws a ValidationError naming `field` unless `ok`; `got` is the offending value, when it may be shown. */
export function check(ok: boolean, field: string, rule: string, ...got: [unknown] | []): void {
  if (ok) return;
  const shown = got.length ? ` (got ${typeof got[0] === 'string' ? `"${got[0]}"` : got[0]})` : '';
  throw new ValidationError(field, `${rule}${shown}`);
}

/** An optional whole number of milliseconds (or a count) from `min` to `max`, by default what a timer can hold. */
export function checkRange(value: unknown, field: string, min: number, max = MAX_TIMER_MS): void {
  check(
    value === undefined || (Number.isInteger(value) && (value as number) >= min && (value as number) <= max),
    field,
    `must be an integer from ${min} to ${max}`,
    value,
  );
}

/** A string's limits in the spec (`@usagebudget/openapi/limits`). */
interface StringLimits {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
}

/** Whether `value` is a string within the spec's `limits`. */
export function fits(value: unknown, { minLength = 0, maxLength = Number.POSITIVE_INFINITY, pattern }: StringLimits) {
  return (
    typeof value === 'string' &&
    value.length >= minLength &&
    value.length <= maxLength &&
    (pattern === undefined || pattern.test(value))
  );
}
