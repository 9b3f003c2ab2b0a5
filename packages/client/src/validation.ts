// `@usagebudget/client/validation`: every 2xx body checked against the spec's schema of the
// operation's response, with the spec package's validators (`@usagebudget/openapi`, an optional
// peer dependency: only this subpath loads it). A subpath of its own, so that the main entry's
// bundle carries neither the spec nor Ajv; and the spec is loaded on the first body it checks, so
// that importing this module costs a process nothing until a call answers.

import type { ResponseProblem, ResponseValidator } from './index.js';

/** Checks one body; the problems found. */
type BodyCheck = (body: unknown) => ResponseProblem[];
/** The check of the body `operationId` answers with `status`, `undefined` when the spec documents no such answer. */
type ChecksByAnswer = (operationId: string, status: number) => BodyCheck | undefined;

/** Every number in `value` that is not finite (JSON's `1e999` parses as `Infinity`), by JSON pointer. */
function nonFiniteNumbers(value: unknown, pointer = ''): ResponseProblem[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [{ pointer, rule: 'must be a finite number' }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    nonFiniteNumbers(item, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`),
  );
}

/**
 * A copy of the spec without `additionalProperties: false`. The spec closes its response schemas so
 * that contract tests catch undeclared fields, and asks clients to tolerate new ones, as a later
 * version of the API may add them: a new field is no reason to refuse an answer.
 */
function tolerant<T>(node: T): T {
  if (Array.isArray(node)) return node.map(tolerant) as T;
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'additionalProperties' && value === false))
      .map(([key, value]) => [key, tolerant(value)]),
  ) as T;
}

async function loadChecks(): Promise<ChecksByAnswer> {
  const [{ spec }, { createSpecValidator }, { specOperations }, { jsonPointer }] = await Promise.all([
    import('@usagebudget/openapi'),
    import('@usagebudget/openapi/validator'),
    import('@usagebudget/openapi/operations'),
    import('@usagebudget/openapi/pointer'),
  ]);
  const document = tolerant(spec);
  const validator = createSpecValidator(document);
  const operations = new Map(specOperations(document).map((operation) => [operation.operationId, operation]));
  return (operationId, status) => {
    // A 2xx documented by its own status or by `2XX`; never `default`, which is the spec's ApiFault.
    const response = operations
      .get(operationId)
      ?.responses.find(({ status: key }) => key === String(status) || key.toUpperCase() === '2XX');
    if (!response?.value.content?.['application/json']?.schema) return undefined;
    const check = validator.compile(jsonPointer(response.pointer, 'content', 'application/json', 'schema'));
    return (body) => [
      ...check(body).details.map(({ instancePath, message }) => ({
        pointer: instancePath,
        rule: message ?? 'is invalid',
      })),
      ...nonFiniteNumbers(body),
    ];
  };
}

/**
 * A `validateResponses` for `UsageBudgetClient` that checks every 2xx body, as the service
 * sent it, against the spec's schema of the operation's response for its status: types, formats
 * (GUIDs, dates), patterns, enums, required fields and ranges, and no number that is not finite.
 * Fields the spec does not know are accepted (a later version of the API may add them). A body
 * with problems fails the call with a `ResponseValidationError` whose `problems` name each field as
 * a JSON pointer (`/customersOverBudget`) with the rule it breaks (`must be integer`); so does a
 * 2xx the spec does not document for the operation. Node.js only: it loads the spec package
 * (`@usagebudget/openapi`, install it beside the client) on the first body it checks.
 *
 * @example
 * const client = new UsageBudgetClient({ credential, validateResponses: specResponseValidator() });
 */
export function specResponseValidator(): ResponseValidator {
  let checks: Promise<ChecksByAnswer> | undefined;
  const compiled = new Map<string, BodyCheck | undefined>();
  return async (operationId, status, body) => {
    checks ??= loadChecks();
    const key = `${operationId} ${status}`;
    if (!compiled.has(key)) compiled.set(key, (await checks)(operationId, status));
    const check = compiled.get(key);
    if (!check)
      return [{ pointer: '', rule: `is a ${status} answer, which the spec does not document for ${operationId}` }];
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return [{ pointer: '', rule: 'must be JSON' }];
    }
    // Ajv's several messages for one value (each branch of an anyOf) are kept; the same one twice is not.
    return [...new Map(check(parsed).map((problem) => [`${problem.pointer} ${problem.rule}`, problem])).values()];
  };
}
