import { spec } from '@usagebudget/openapi';
import { describe, expect, it } from 'vitest';
import { compileContract } from '../../src/contract/compile-contract.js';
import { specValidator } from '../../src/contract/spec-validator.js';

describe('compileContract', () => {
  const routes = compileContract(spec, specValidator);
  const [route] = routes;

  it('finds the spec path with its methods, operation ids and path parameter', () => {
    expect(routes).toHaveLength(1);
    expect(route?.pathTemplate).toBe('/v1/customers/{customerTenantId}/usagebudget');
    expect(route?.allow).toBe('GET, PATCH');
    expect(route?.operations.get('GET')?.operationId).toBe('getUsageBudget');
    expect(route?.match('/v1/customers/abc/usagebudget')).toEqual(['abc']);
    expect(route?.match('/v1/customers/a/b/usagebudget')).toBeUndefined();
    const [customer] = route?.operations.get('PATCH')?.pathParameters ?? [];
    expect(customer?.check('0c39d6d5-c70d-4c55-bc02-f620844f3fd1').valid).toBe(true);
    expect(customer?.check('0c39d6d5').valid).toBe(false);
  });

  it('compiles each declared header with its own schema', () => {
    const headers = route?.operations.get('GET')?.headerParameters ?? [];
    expect(headers.map((header) => header.key)).toContain('ms-requestid');
    const locale = headers.find((header) => header.name === 'X-Locale');
    expect(locale?.check('en-US').valid).toBe(true);
    expect(locale?.check('"en-US"').valid).toBe(false);
  });

  it('gives PATCH the body rule of SpendingBudget, and GET none', () => {
    const body = route?.operations.get('PATCH')?.body;
    expect(body?.mediaType).toBe('application/json');
    expect(body?.check({ amount: 1 }).valid).toBe(true);
    expect(body?.check({ amount: -1 }).valid).toBe(false);
    expect(body?.shape.properties.get('amount')?.name).toBe('amount');
    expect(route?.operations.get('GET')?.body).toBeUndefined();
  });
});
