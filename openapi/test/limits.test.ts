import { spec } from '@usagebudget/openapi';
import * as limits from '@usagebudget/openapi/limits';
import { costProperties } from '@usagebudget/openapi/operations';
import { createSpecValidator } from '@usagebudget/openapi/validator';
import { describe, expect, it } from 'vitest';

// The drift task checks the module is what the generator writes from the spec; these check that
// what it says is what the spec's validator does, at each limit and just past it.

type Limits = {
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  enum?: readonly unknown[];
};

const validator = createSpecValidator(spec);
const valid = (pointer: string, value: unknown) => validator.validate(pointer, value).valid;

/** Values at and past each limit, with what the limits say of them. */
function probes(
  { minimum, maximum, minLength, maxLength, pattern, enum: values }: Limits,
  format?: string,
): [unknown, boolean][] {
  const fill = (length: number) => 'a'.repeat(length);
  const said: [unknown, boolean][] = [];
  if (minimum !== undefined) said.push([minimum, true], [minimum - 1, false]);
  if (maximum !== undefined) said.push([maximum, true], [maximum + 1, false]);
  if (maxLength !== undefined && !pattern && !format) said.push([fill(maxLength), true], [fill(maxLength + 1), false]);
  if (minLength !== undefined && minLength > 0 && !pattern && !format) said.push([fill(minLength - 1), false]);
  if (values) said.push(...values.map((value): [unknown, boolean] => [value, true]), ['not-listed', false]);
  if (pattern) {
    for (const text of ['en-US', 'de', 'a'.repeat(40), '!~', 'with space', '0c39d6d5-c70d-4c55-bc02-f620844f3fd1']) {
      const fits =
        pattern.test(text) && text.length <= (maxLength ?? Number.POSITIVE_INFINITY) && text.length >= (minLength ?? 0);
      said.push([text, fits]);
    }
  }
  return said;
}

describe('@usagebudget/openapi/limits', () => {
  const parameters = spec.components?.parameters ?? {};
  const constant = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

  it.each(Object.keys(parameters))('parameter %s: the validator agrees at each limit', (name) => {
    const stated = (limits as Record<string, Limits | undefined>)[constant(name)];
    if (!stated) return expect(Object.keys(parameters)).toContain(name);
    const { format } = (parameters[name] as { schema: { format?: string } }).schema;
    for (const [value, expected] of probes(stated, format)) {
      expect(valid(`#/components/parameters/${name}/schema`, value), `${name} ${JSON.stringify(value)}`).toBe(expected);
    }
  });

  it('states the page size, the continuation token, the locale and the filter as the spec does', () => {
    expect(limits.PAGE_SIZE).toEqual({ minimum: 1, maximum: 500, default: 500 });
    expect(limits.CONTINUATION_TOKEN).toMatchObject({ minLength: 1, maxLength: 2048 });
    expect(limits.LOCALE.maxLength).toBe(35);
    expect(limits.CUSTOMER_FILTER.Value).toEqual({ minLength: 1, maxLength: 256 });
    for (const [property, stated] of Object.entries(limits.CUSTOMER_FILTER)) {
      for (const [value, expected] of probes(stated)) {
        expect(valid(`#/components/schemas/CustomerFilter/properties/${property}`, value), property).toBe(expected);
      }
    }
    expect(valid('#/components/schemas/SpendingBudget/properties/amount', limits.SPENDING_BUDGET.amount.minimum)).toBe(
      true,
    );
  });

  it('lists every property the spec types as a cost', () => {
    expect([...limits.COST_PROPERTIES]).toEqual(
      [...new Set(costProperties(spec).map(({ property }) => property))].sort(),
    );
  });
});
