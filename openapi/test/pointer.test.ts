import { spec } from '@usagebudget/openapi';
import { jsonPointer, nodeAt, resolveReference } from '@usagebudget/openapi/pointer';
import { describe, expect, it } from 'vitest';

describe('spec pointers', () => {
  it('escapes segments per RFC 6901 and reads them back', () => {
    const pointer = jsonPointer('#', 'paths', '/v1/customers/{customerTenantId}/usagebudget', 'get');
    expect(pointer).toBe('#/paths/~1v1~1customers~1{customerTenantId}~1usagebudget/get');
    expect(nodeAt(spec, pointer)).toMatchObject({ operationId: 'getUsageBudget' });
    expect(jsonPointer('#/a', 'b~c')).toBe('#/a/b~0c');
    expect(nodeAt({ 'b~c': { 'd/e': 1 } }, jsonPointer('#', 'b~c', 'd/e'))).toBe(1);
  });

  it('throws on a pointer to nothing and on a non-local reference', () => {
    expect(() => nodeAt(spec, '#/components/schemas/Nope')).toThrow(
      'the spec has nothing at #/components/schemas/Nope',
    );
    expect(() => nodeAt(spec, 'other.yaml#/x')).toThrow('only local references are supported');
  });

  it('follows chains of references to the final node and its pointer, and leaves inline nodes as they are', () => {
    const document = { a: { $ref: '#/b' }, b: { $ref: '#/c' }, c: { value: 1 } };
    expect(resolveReference(document, { $ref: '#/a' })).toEqual({ value: { value: 1 }, pointer: '#/c' });
    const inline = { type: 'string' };
    expect(resolveReference(document, inline)).toEqual({ value: inline, pointer: undefined });
  });

  it('throws on a reference cycle', () => {
    const document = { a: { $ref: '#/b' }, b: { $ref: '#/a' } };
    expect(() => resolveReference(document, { $ref: '#/a' })).toThrow('a $ref cycle at #/a');
  });
});
