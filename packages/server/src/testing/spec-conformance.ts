// The API's spec as a test's oracle: what in an answer breaks it.
import { spec } from '@usagebudget/openapi';
import { findOperation, specOperations } from '@usagebudget/openapi/operations';
import { jsonPointer, resolveReference } from '@usagebudget/openapi/pointer';
import type { OpenAPIV3 } from 'openapi-types';
import { specValidator as validator } from '../contract/spec-validator.js';
import type { RawResponse } from './raw-http.js';

const API_FAULT = '#/components/schemas/ApiFault';
const TRACE_HEADERS = {
  'ms-requestid': '#/components/headers/RequestId',
  'ms-correlationid': '#/components/headers/CorrelationId',
};

const operations = specOperations(spec);
const resolve = <T>(node: T | OpenAPIV3.ReferenceObject) => resolveReference(spec, node);

function check(pointer: string, value: unknown, what: string, problems: string[]): void {
  const result = validator.compile(pointer)(value);
  if (!result.valid) problems.push(`${what}: ${result.errors.join('; ')}`);
}

function parseBody(response: RawResponse, problems: string[]): unknown {
  if (!String(response.headers['content-type']).startsWith('application/json')) {
    problems.push(`content-type ${response.headers['content-type']} is not application/json`);
  }
  try {
    return JSON.parse(response.text);
  } catch {
    problems.push(`the body is not JSON: ${response.text.slice(0, 200)}`);
    return undefined;
  }
}

/**
 * How a response breaks the spec: an undeclared status for a declared operation, a missing or
 * invalid declared header, a body that fails the declared schema. Responses to requests the spec
 * does not declare must still carry the tracing headers and, when they are errors, an ApiFault.
 */
export function specViolations(method: string, path: string, response: RawResponse): string[] {
  const problems: string[] = [];
  for (const [name, pointer] of Object.entries(TRACE_HEADERS)) {
    check(`${pointer}/schema`, response.headers[name], `header ${name}`, problems);
  }
  const found = findOperation(operations, method, path.split('?')[0] ?? path)?.operation;
  if (!found) {
    if (response.status >= 400) check(API_FAULT, parseBody(response, problems), 'body', problems);
    return problems;
  }
  const declared = found.responses.find(({ status }) => status === String(response.status));
  if (!declared) {
    problems.push(`${method} ${found.path} does not declare status ${response.status}`);
    return problems;
  }
  const { value: declaration, pointer: base } = declared;
  for (const [name, header] of Object.entries(declaration.headers ?? {})) {
    const { value: headerObject, pointer: headerPointer } = resolve<OpenAPIV3.HeaderObject>(header);
    const raw = response.headers[name.toLowerCase()];
    const schema = headerObject.schema && resolve<OpenAPIV3.SchemaObject>(headerObject.schema).value;
    const numeric = schema?.type === 'integer' || schema?.type === 'number';
    const value = numeric && typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    check(
      jsonPointer(headerPointer ?? jsonPointer(base, 'headers', name), 'schema'),
      value,
      `header ${name}`,
      problems,
    );
  }
  const media = declaration.content?.['application/json'];
  if (media?.schema) {
    const schemaPointer = resolve(media.schema).pointer ?? jsonPointer(base, 'content', 'application/json', 'schema');
    check(schemaPointer, parseBody(response, problems), 'body', problems);
  }
  return problems;
}
