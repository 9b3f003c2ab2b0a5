import { ValidationError } from '../core/errors.js';
import type { CustomerFilter } from '../core/usage-models.js';

// setTimeout's limit: a longer delay fires at once.
export const MAX_TIMER_MS = 2 ** 31 - 1;

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

// The spec's limits of GET /v1/customers (parameters PageSize and ContinuationToken, schema
// CustomerFilter); the client's tests check them against the spec.
export const PAGE_SIZE_MAX = 500;
export const FILTER_VALUE_MAX_LENGTH = 256;
// The generated enums' values, as a list that costs no enum object in the bundle.
export const FILTER_FIELDS: readonly CustomerFilter['Field'][] = [
  'CompanyName',
  'Domain',
  'IndirectReseller',
  'IndirectCloudSolutionProvider',
];
// The spec's MS-ContinuationToken header: 1 to 2048 printable ASCII characters without spaces.
export const CONTINUATION_TOKEN = /^[!-~]{1,2048}$/;

/**
 * The `filter` query value of a customer list: exactly `Field` (a documented field), `Value` (1 to
 * 256 characters) and `Operator` (`starts_with`), as JSON in the documented order and spelling.
 */
export function customerFilterText(filter: unknown): string {
  const { Field, Value, Operator } = (filter ?? {}) as Record<string, unknown>;
  check(
    FILTER_FIELDS.includes(Field as CustomerFilter['Field']) &&
      typeof Value === 'string' &&
      Value !== '' &&
      Value.length <= FILTER_VALUE_MAX_LENGTH &&
      Operator === 'starts_with' &&
      // Those three members and no other.
      Object.keys(filter as object).length === 3,
    'filter',
    `must be {Field: ${FILTER_FIELDS.join('|')}, Value: 1 to ${FILTER_VALUE_MAX_LENGTH} characters, Operator: starts_with}`,
  );
  return JSON.stringify({ Field, Value, Operator });
}

/** A continuation token the `MS-ContinuationToken` header carries byte for byte. Never shown: it is opaque. */
export function checkContinuationToken(token: unknown): void {
  check(
    typeof token === 'string' && CONTINUATION_TOKEN.test(token),
    'continuationToken',
    "must be a page's continuationToken",
  );
}
