import { spec } from '@usagebudget/openapi';
import type { OpenAPIV3 } from 'openapi-types';
import { describe, expect, it } from 'vitest';
import { bind, bindingShapeOf } from '../../src/contract/body-binding.js';

const resolve = (ref: string) => {
  const name = ref.split('/').at(-1) as string;
  return spec.components?.schemas?.[name] as OpenAPIV3.SchemaObject;
};
const shape = bindingShapeOf({ $ref: '#/components/schemas/SpendingBudget' }, resolve);

describe('binding a body onto the spec SpendingBudget', () => {
  it('binds PascalCase and any other casing onto the declared names, recursively', () => {
    const { value, conflicts } = bind({ Amount: 5, ATTRIBUTES: { ObjectType: 'SpendingBudget', eTag: 'x' } }, shape);
    expect(value).toEqual({ amount: 5, attributes: { objectType: 'SpendingBudget', etag: 'x' } });
    expect(conflicts).toEqual([]);
  });

  it('drops unknown properties and the read-only ones a client may echo back', () => {
    const body = {
      amount: 1,
      currency: 'EUR',
      usageSpendingBudget: -3,
      links: { self: 'x' },
      attributes: { extra: 1 },
    };
    expect(bind(body, shape).value).toEqual({ amount: 1, attributes: {} });
  });

  it('reports a property given twice in different casings', () => {
    expect(bind({ amount: 1, Amount: 2 }, shape).conflicts).toEqual(['amount']);
    expect(bind({ attributes: { objectType: 'a', OBJECTTYPE: 'b' } }, shape).conflicts).toEqual([
      'attributes.objectType',
    ]);
  });

  it('never turns __proto__ or constructor keys into properties or prototypes', () => {
    const body = JSON.parse(
      '{"__proto__":{"amount":9,"polluted":true},"constructor":{"prototype":{"polluted":true}},"amount":1}',
    );
    const { value } = bind(body, shape);
    expect(value).toEqual({ amount: 1 });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('passes values of the wrong type through for the schema to reject', () => {
    expect(bind({ Amount: 'ten', attributes: [1] }, shape).value).toEqual({ amount: 'ten', attributes: [1] });
  });
});
