import { spec } from '@usagebudget/openapi';
import { jsonPointer, resolveReference } from '@usagebudget/openapi/pointer';
import { createSpecValidator } from '@usagebudget/openapi/validator';
import type { OpenAPIV3 } from 'openapi-types';
import type { RawResponse } from './http.js';

const validator = createSpecValidator(spec);
const API_FAULT = '#/components/schemas/ApiFault';
const TRACE_HEADERS = {
  'ms-requestid': '#/components/headers/RequestId',
  'ms-correlationid': '#/components/headers/CorrelationId',
};

const resolve = <T>(node: T | OpenAPIV3.ReferenceObject) => resolveReference(spec, node);

/** The spec's path template and operation for a request, if the spec declares one. */
function operationOf(method: string, path: string) {
  const bare = path.split('?')[0] ?? path;
  for (const [template, item] of Object.entries(spec.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (!pattern.test(bare)) continue;
    const key = method.toLowerCase() as OpenAPIV3.HttpMethods;
    const operation = item?.[key];
    if (operation) return { template, key, operation };
  }
  return undefined;
}

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
  const found = operationOf(method, path);
  if (!found) {
    if (response.status >= 400) check(API_FAULT, parseBody(response, problems), 'body', problems);
    return problems;
  }
  const declared = found.operation.responses[String(response.status)];
  if (!declared) {
    problems.push(`${method} ${found.template} does not declare status ${response.status}`);
    return problems;
  }
  const { value: declaration, pointer } = resolve<OpenAPIV3.ResponseObject>(declared);
  const base = pointer ?? jsonPointer('#', 'paths', found.template, found.key, 'responses', String(response.status));
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
