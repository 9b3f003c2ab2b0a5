import { ValidationError } from '../core/errors.js';

// setTimeout's limit: a longer delay fires at once.
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Throws a ValidationError naming `field` unless `ok`; `got` is the offending value, when it may be shown. */
export function check(ok: boolean, field: string, rule: string, ...got: [unknown] | []): void {
  if (ok) return;
  const shown = got.length ? ` (got ${typeof got[0] === 'string' ? `"${got[0]}"` : got[0]})` : '';
  throw new ValidationError(field, `${rule}${shown}`);
}

/** An optional whole number of milliseconds (or a count) from `min` to what a timer can hold. */
export function checkRange(value: number | undefined, field: string, min: number): void {
  check(
    value === undefined || (Number.isInteger(value) && value >= min && value <= MAX_TIMER_MS),
    field,
    `must be an integer from ${min} to ${MAX_TIMER_MS}`,
    value,
  );
}
