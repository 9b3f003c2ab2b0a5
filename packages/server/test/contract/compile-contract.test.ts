import { spec } from '@usagebudget/openapi';
import { specOperations } from '@usagebudget/openapi/operations';
import { describe, expect, it } from 'vitest';
import { compileContract, operationRule } from '../../src/contract/compile-contract.js';
import { specValidator } from '../../src/contract/spec-validator.js';

describe('compileContract', () => {
  const routes = compileContract(spec, specValidator);
  const route = routes.find(({ pathTemplate }) => pathTemplate === '/v1/customers/{customerTenantId}/usagebudget');

  it('finds every spec path with its methods, operation ids and path parameters', () => {
    expect(routes.map(({ pathTemplate, allow }) => [pathTemplate, allow])).toEqual([
      ['/v1/customers/{customerTenantId}/usagebudget', 'GET, PATCH'],
      ['/v1/customers', 'GET'],
      ['/v1/customers/usagerecords', 'GET'],
      ['/v1/customers/{customerTenantId}/usagesummary', 'GET'],
      ['/v1/usagesummary', 'GET'],
      ['/webhooks/v1/registration/events', 'GET'],
      ['/webhooks/v1/registration', 'GET, PUT, POST'],
      ['/webhooks/v1/registration/validationEvents', 'POST'],
      ['/webhooks/v1/registration/validationEvents/{correlationId}', 'GET'],
    ]);
    expect(route?.operations.get('GET')?.operationId).toBe('getUsageBudget');
    expect(route?.match('/v1/customers/abc/usagebudget')).toEqual(['abc']);
    expect(route?.match('/v1/customers/a/b/usagebudget')).toBeUndefined();
    const [customer] = route?.operations.get('PATCH')?.pathParameters ?? [];
    expect(customer?.pointer).toBe('#/components/parameters/CustomerTenantId');
    expect(customer?.check('0c39d6d5-c70d-4c55-bc02-f620844f3fd1').valid).toBe(true);
    expect(customer?.check('0c39d6d5').valid).toBe(false);
    const list = routes.find(({ pathTemplate }) => pathTemplate === '/v1/customers');
    expect(list?.match('/v1/customers')).toEqual([]);
    expect(list?.operations.get('GET')?.pathParameters).toEqual([]);
  });

  it('compiles each declared header with its own schema', () => {
    const headers = route?.operations.get('GET')?.headerParameters ?? [];
    expect(headers.map((header) => header.key)).toContain('ms-requestid');
    const locale = headers.find((header) => header.name === 'X-Locale');
    expect(locale?.check('en-US').valid).toBe(true);
    expect(locale?.check('"en-US"').valid).toBe(false);
  });

  it('gives the customer list its query parameters with their schemas', () => {
    const list = operationRule(routes, 'listCustomers');
    expect(list.queryParameters.map(({ name }) => name)).toEqual(['size', 'filter', 'seekOperation']);
    expect(list.queryParameters[0]?.schema).toMatchObject({ minimum: 1, maximum: 500, default: 500 });
    expect(list.headerParameters.map(({ name }) => name)).toContain('MS-ContinuationToken');
    expect(() => operationRule(routes, 'deleteEverything')).toThrow('no operation deleteEverything');
  });

  it("takes each operation's accepted token kinds from its x-token-kinds", () => {
    const kinds = Object.fromEntries(
      routes.flatMap((found) => [...found.operations.values()].map((rule) => [rule.operationId, rule.tokenKinds])),
    );
    const declared = specOperations(spec).map((found) => [
      found.operationId,
      (found.operation as { 'x-token-kinds'?: unknown })['x-token-kinds'],
    ]);
    expect(kinds).toEqual(Object.fromEntries(declared));
    expect(kinds.getCustomerUsageSummary).toEqual(['app+user']);
    const broken = structuredClone(spec);
    const get = broken.paths['/v1/usagesummary']?.get as Record<string, unknown>;
    get['x-token-kinds'] = ['app-only', 'robot'];
    expect(() => compileContract(broken, specValidator)).toThrow('x-token-kinds');
    delete get['x-token-kinds'];
    expect(() => compileContract(broken, specValidator)).toThrow('x-token-kinds');
  });

  it('gives PATCH the body rule of SpendingBudget, and GET none', () => {
    const body = route?.operations.get('PATCH')?.body;
    expect(body?.mediaType).toBe('application/json');
    expect(body?.objectName).toBe('SpendingBudget');
    expect(body?.check({ amount: 1 }).valid).toBe(true);
    expect(body?.check({ amount: -1 }).valid).toBe(false);
    expect(body?.shape.properties.get('amount')?.name).toBe('amount');
    expect(route?.operations.get('GET')?.body).toBeUndefined();
  });
});
