import { spec } from '@usagebudget/openapi';
import { findOperation, responseForStatus, type SpecOperation, specOperations } from '@usagebudget/openapi/operations';
import { resolveReference } from '@usagebudget/openapi/pointer';
import { createSpecValidator } from '@usagebudget/openapi/validator';
import type { OpenAPIV3 } from 'openapi-types';
import { testControlsSpec } from '../../src/index.js';
import type { RawRequest, RawResponse } from './http.js';

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
