import { CONTINUATION_TOKEN, CUSTOMER_FILTER, PAGE_SIZE } from '@usagebudget/openapi/limits';
import type { CustomerListQuery } from '../../core/usage-models.js';
import type { OperationParameters } from '../../generated/requests.js';
import { check, checkRange, fits } from '../argument-checks.js';

// Loaded with the first page of a customer list, like the walk: a client that lists nothing never loads it.

/** A page size of `listCustomers`: absent (the service's default), or the spec's 1 to 500. */
function checkPageSize(size: unknown): void {
  checkRange(size, 'size', PAGE_SIZE.minimum, PAGE_SIZE.maximum);
}

const { Field, Value, Operator } = CUSTOMER_FILTER;

/**
 * The `filter` query value of a customer list: exactly `Field` (a documented field), `Value` (1 to
 * 256 characters) and `Operator` (`starts_with`), as JSON in the documented order and spelling.
 */
function customerFilterText(filter: unknown): string {
  const given = (filter ?? {}) as Record<string, unknown>;
  check(
    Field.enum.includes(given.Field as never) &&
      fits(given.Value, Value) &&
      Operator.enum.includes(given.Operator as never) &&
      // Those three members and no other.
      Object.keys(given).length === 3,
    'filter',
    `must be {Field: ${Field.enum.join('|')}, Value: ${Value.minLength} to ${Value.maxLength} characters, Operator: ${Operator.enum.join('|')}}`,
  );
  return JSON.stringify({ Field: given.Field, Value: given.Value, Operator: given.Operator });
}

/** A continuation token the `MS-ContinuationToken` header carries byte for byte. Never shown: it is opaque. */
function checkContinuationToken(token: unknown): void {
  check(fits(token, CONTINUATION_TOKEN), 'continuationToken', "must be a page's continuationToken");
}

/**
 * The parameters of a page of `listCustomers`, checked before anything is sent: the first page's
 * `size` and `filter`; a page a continuation token leads to has only its token (which carries the
 * first page's query).
 */
export function customerListParameters(
  query: CustomerListQuery | undefined,
  continuationToken: string | undefined,
): OperationParameters['listCustomers'] {
  if (continuationToken !== undefined) {
    checkContinuationToken(continuationToken);
    return { query: { seekOperation: 'Next' }, headers: { 'MS-ContinuationToken': continuationToken } };
  }
  checkPageSize(query?.size);
  const filter = query?.filter === undefined ? undefined : customerFilterText(query.filter);
  return { query: { size: query?.size, filter }, headers: {} };
}
