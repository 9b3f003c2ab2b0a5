import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type RawResponse, specViolations } from '../../src/testing/index.js';

// The other tests trust specViolations to catch a server that drifts from the spec: check it can.
const path = `/v1/customers/${randomUUID()}/usagebudget`;
const budget = {
  amount: 1,
  usageSpendingBudget: 1,
  attributes: { objectType: 'SpendingBudget' },
  links: { self: { uri: path, method: 'GET', headers: [] } },
};
const response = (status: number, body: unknown, headers: Record<string, string> = {}): RawResponse => ({
  status,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'ms-requestid': randomUUID(),
    'ms-correlationid': randomUUID(),
    ...headers,
  },
  text: JSON.stringify(body),
});
const fault = { code: 800001, description: 'Partner Token missing in request context' };

describe('specViolations', () => {
  it('passes responses the spec declares', () => {
    expect(specViolations('GET', path, response(200, budget))).toEqual([]);
    expect(specViolations('PATCH', path, response(401, fault, { 'www-authenticate': 'Bearer' }))).toEqual([]);
    expect(specViolations('GET', '/nowhere', response(404, fault))).toEqual([]);
  });

  it('catches undeclared properties, statuses and missing or invalid headers', () => {
    expect(specViolations('GET', path, response(200, { ...budget, extra: 1 }))).toHaveLength(1);
    expect(specViolations('GET', path, response(413, fault))).toEqual([
      `GET /v1/customers/{customerTenantId}/usagebudget does not declare status 413`,
    ]);
    expect(specViolations('GET', path, response(401, fault))).toHaveLength(1);
    expect(
      specViolations('GET', path, response(429, { statusCode: 429, message: 'x' }, { 'retry-after': 'soon' })),
    ).toHaveLength(1);
    expect(specViolations('GET', path, response(200, budget, { 'ms-requestid': 'abc' }))).not.toEqual([]);
    expect(specViolations('GET', '/nowhere', response(404, { error: 'x' }))).toHaveLength(1);
  });
});
