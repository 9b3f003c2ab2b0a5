import { spec } from '@usagebudget/openapi';
import { findOperation, responseForStatus, type SpecOperation, specOperations } from '@usagebudget/openapi/operations';
import { resolveReference } from '@usagebudget/openapi/pointer';
import { createSpecValidator } from '@usagebudget/openapi/validator';
import {
  budgetPath,
  jsonHeaders,
  type RawRequest,
  type RawResponse,
  randomPartner,
  sendRaw,
  specViolations,
} from '@usagebudget/server/testing';
import type { OpenAPIV3 } from 'openapi-types';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { type ActiveFaultRule, type Seed, type StatefulMock, startMock } from '../../src/index.js';
import { testControlsSpec } from '../../src/test-controls/admin-spec.js';
import { MOCK_ADMIN_PATH } from '../../src/test-controls/control-surface.js';
import type { Journal } from '../../src/test-controls/journal.js';

export const operations = specOperations(spec);
const adminOperations = specOperations(testControlsSpec);
const adminValidator = createSpecValidator(testControlsSpec);

/**
 * A request of one of the spec's operations for `customerId`: every path placeholder filled with
 * it, the first request example of the spec as the body.
 */
export function requestOf(operation: SpecOperation, customerId: string, token: string): RawRequest {
  const path = operation.path.replace(/\{[^}]+\}/g, customerId);
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  const media = operation.requestBody?.value.content['application/json'];
  if (!media) return { method: operation.method.toUpperCase(), path, headers };
  const [example] = Object.values(media.examples ?? {});
  const body = example ? resolveReference<OpenAPIV3.ExampleObject>(spec, example).value.value : media.example;
  return {
    method: operation.method.toUpperCase(),
    path,
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** The error statuses each operation documents with a numeric key. */
export function documentedErrors(operation: SpecOperation): number[] {
  return operation.responses.map(({ status }) => Number(status)).filter((status) => status >= 400);
}

/** The spec's first example body of an operation's response for `status`. */
export function firstExample(operation: SpecOperation, status: number): unknown {
  const response = responseForStatus(operation, status);
  const [example] = Object.values(response?.value.content?.['application/json']?.examples ?? {});
  return example && resolveReference<OpenAPIV3.ExampleObject>(spec, example).value.value;
}

/** How an answer of the test controls breaks their own spec: an undeclared status, or a body off its schema. */
export function adminViolations(method: string, path: string, response: RawResponse): string[] {
  const found = findOperation(adminOperations, method, path.split('?')[0] ?? path);
  if (!found) return [`the test controls' spec has no ${method} ${path}`];
  const declared = responseForStatus(found.operation, response.status);
  if (!declared) return [`${method} ${found.operation.path} does not declare ${response.status}`];
  const media = declared.value.content?.['application/json'];
  if (!media) return response.text === '' ? [] : [`${response.status} declares no body, got ${response.text}`];
  const schema = media.schema;
  if (!schema) return [];
  const pointer = resolveReference(testControlsSpec, schema).pointer;
  if (!pointer) return [];
  const check = adminValidator.validate(pointer, JSON.parse(response.text));
  return check.errors.map((error) => `body ${error}`);
}

export const partner = randomPartner('Mock partner', 3);
export const other = randomPartner('Other partner', 1);
export const token = partner.tokens[0] as string;
export const [customer, second, unbudgeted] = partner.customers as [string, string, string];
// Customers with usage: 200.4 of a 250.5 budget is 80% (trending over); the second spends euros
// with no budget; the third is a GUID alone (an Azure plan in USD with no cost yet).
export const seed: Seed = {
  partners: [
    {
      ...partner,
      billingPeriod: { start: '2024-05-01T00:00:00+00:00', end: '2024-06-01T00:00:00+00:00' },
      customers: [
        { id: customer, name: 'Seeded Ltd', cost: '200.4', budget: 250.5 },
        { id: second, currency: 'EUR', cost: '12.50000000000000000001', usdCost: '13.6' },
        unbudgeted,
      ],
    },
    other,
  ],
};

/** What every request of the test controls must carry. */
export const CONTROL_HEADERS = { 'X-Usagebudget-Mock': '1' };

/**
 * The stateful mock of a test file, seeded with `seed`: started before its tests, reset before
 * each of them, closed after them; with requests of its controls and of its API, each checked
 * against its own spec.
 */
export function useSeededMock() {
  let mock: StatefulMock | undefined;
  const url = () => {
    if (!mock) throw new Error('the mock has not started: use it inside a test');
    return mock.url;
  };

  /** A request of the test controls, checked against their spec. */
  const admin = async (method: string, path: string, body?: unknown): Promise<RawResponse> => {
    const response = await sendRaw(url(), {
      method,
      path: `${MOCK_ADMIN_PATH}${path}`,
      ...(body === undefined
        ? { headers: CONTROL_HEADERS }
        : {
            headers: { ...CONTROL_HEADERS, 'Content-Type': 'application/json' },
            body: typeof body === 'string' ? body : JSON.stringify(body),
          }),
    });
    expect(adminViolations(method, `${MOCK_ADMIN_PATH}${path}`, response), `${method} ${path}`).toEqual([]);
    return response;
  };

  /** A request of the API, checked against the API's spec. */
  const call = async (request: RawRequest): Promise<RawResponse> => {
    const response = await sendRaw(url(), request);
    expect(specViolations(request.method ?? 'GET', request.path, response), request.path).toEqual([]);
    return response;
  };

  beforeAll(async () => {
    mock = await startMock({ seed });
  });
  afterAll(() => mock?.close());
  beforeEach(async () => {
    expect((await admin('POST', '/reset')).status).toBe(204);
  });

  return {
    get url() {
      return url();
    },
    admin,
    call,
    addFault: async (rule: Record<string, unknown>) => {
      const response = await admin('POST', '/faults', rule);
      expect(response.status, response.text).toBe(201);
      return JSON.parse(response.text) as ActiveFaultRule;
    },
    journal: async (query = '') => JSON.parse((await admin('GET', `/journal${query}`)).text) as Journal,
    getBudget: (customerId = customer, headers: Record<string, string> = {}) =>
      call({ path: budgetPath(customerId), headers: jsonHeaders(token, headers) }),
  };
}
