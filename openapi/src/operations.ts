import type { OpenAPIV3 } from 'openapi-types';
import { HTTP_METHODS, jsonPointer, resolveReference } from './pointer.js';

/** A lower-case method of a path item, as OpenAPI keys it (`get`, `patch`, ...). */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** A node of the spec with its `$ref`s followed, and the JSON pointer of where it ends up. */
export interface Located<T> {
  readonly value: T;
  readonly pointer: string;
}

/** A documented response of an operation, by its key in `responses` (`200`, `default`, `4XX`...). */
export interface SpecResponse extends Located<OpenAPIV3.ResponseObject> {
  readonly status: string;
}

/** One operation of the spec, with everything a walk over it needs already resolved. */
export interface SpecOperation {
  /** Lower case, as OpenAPI keys it. */
  readonly method: HttpMethod;
  /** The path template, e.g. `/v1/customers/{customerTenantId}/usagebudget`. */
  readonly path: string;
  readonly operationId: string;
  readonly operation: OpenAPIV3.OperationObject;
  /** Where the operation object is, e.g. `#/paths/~1v1~1customers~1{customerTenantId}~1usagebudget/get`. */
  readonly pointer: string;
  /**
   * The path item's parameters and the operation's own, in that order; an operation's own
   * parameter replaces the path item's one of the same name and location (OpenAPI's rule).
   */
  readonly parameters: readonly Located<OpenAPIV3.ParameterObject>[];
  readonly requestBody: Located<OpenAPIV3.RequestBodyObject> | undefined;
  readonly responses: readonly SpecResponse[];
}

/** Follows `$ref`s from the node at `pointer`: the node they end on, and its own pointer. */
export function resolvePointer<T>(document: object, pointer: string): Located<T> {
  const resolved = resolveReference<T>(document, { $ref: pointer });
  return { value: resolved.value, pointer: resolved.pointer ?? pointer };
}

const DECIMAL_REF = '#/components/schemas/Decimal';

/** A property of a schema of `components.schemas`, by both names. */
export interface SchemaProperty {
  readonly schema: string;
  readonly property: string;
}

/**
 * The properties the spec types as a cost: a `Decimal` string or a JSON number, written as an
 * untyped schema whose `x-anyOf` has a `Decimal` branch (the spec's "Money and decimals"). Readers
 * take such a property's number as its exact text.
 */
export function costProperties(document: OpenAPIV3.Document): SchemaProperty[] {
  return Object.keys(document.components?.schemas ?? {}).flatMap((schema) => {
    const { value } = resolvePointer<OpenAPIV3.SchemaObject>(document, `#/components/schemas/${schema}`);
    return Object.entries(value.properties ?? {}).flatMap(([property, definition]) => {
      const branches = (definition as Record<string, unknown>)['x-anyOf'];
      const isCost =
        Array.isArray(branches) &&
        branches.some((branch) => (branch as OpenAPIV3.ReferenceObject).$ref === DECIMAL_REF);
      return isCost ? [{ schema, property }] : [];
    });
  });
}

/**
 * Every operation of the document, in the order its paths and OpenAPI's methods come. Throws on an
 * operation without an operationId: everything derived from the spec names operations by it.
 */
export function specOperations(document: OpenAPIV3.Document): SpecOperation[] {
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!item) continue;
    const itemPointer = jsonPointer('#', 'paths', path);
    const shared = (item.parameters ?? []).map((_, index) =>
      resolvePointer<OpenAPIV3.ParameterObject>(document, jsonPointer(itemPointer, 'parameters', String(index))),
    );
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const pointer = jsonPointer(itemPointer, method);
      if (!operation.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      const own = (operation.parameters ?? []).map((_, index) =>
        resolvePointer<OpenAPIV3.ParameterObject>(document, jsonPointer(pointer, 'parameters', String(index))),
      );
      const parameters = [...shared, ...own].filter(
        ({ value }, index, all) =>
          !all.slice(index + 1).some((later) => later.value.name === value.name && later.value.in === value.in),
      );
      operations.push({
        method,
        path,
        operationId: operation.operationId,
        operation,
        pointer,
        parameters,
        requestBody: operation.requestBody
          ? resolvePointer<OpenAPIV3.RequestBodyObject>(document, jsonPointer(pointer, 'requestBody'))
          : undefined,
        responses: Object.keys(operation.responses).map((status) => ({
          status,
          ...resolvePointer<OpenAPIV3.ResponseObject>(document, jsonPointer(pointer, 'responses', status)),
        })),
      });
    }
  }
  return operations;
}

/** The names of a path template's placeholders, in order: `['customerTenantId']`. */
export function pathParameterNames(template: string): string[] {
  return [...template.matchAll(/\{([^}]+)\}/g)].map((found) => found[1] as string);
}

/**
 * A matcher of concrete paths (no query string) against a path template: the raw value of each
 * placeholder, in order, when the path matches; `undefined` otherwise. A placeholder matches one
 * non-empty segment; the rest of the template matches literally, case included.
 */
export function pathTemplateMatcher(template: string): (path: string) => string[] | undefined {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(
    `^${template
      .split(/\{[^}]+\}/)
      .map(literal)
      .join('([^/]+)')}$`,
  );
  return (path) => pattern.exec(path)?.slice(1);
}

/**
 * The operation a request names: its method (any case) and its concrete path (no query string)
 * against every path template; `undefined` when the spec declares none.
 */
export function findOperation(
  operations: readonly SpecOperation[],
  method: string,
  path: string,
): { operation: SpecOperation; pathValues: string[] } | undefined {
  const wanted = method.toLowerCase();
  for (const operation of operations) {
    if (operation.method !== wanted) continue;
    const pathValues = pathTemplateMatcher(operation.path)(path);
    if (pathValues) return { operation, pathValues };
  }
  return undefined;
}

/** A named example of a response body, its `$ref` followed. */
export interface ResponseExample {
  /** Its key in `examples`, or `example` for a lone `example`. */
  readonly name: string;
  readonly value: unknown;
}

/**
 * The response an operation documents for a concrete status: its own key (`429`), else its range
 * (`4XX`), else `default`; `undefined` when it documents none of them.
 */
export function responseForStatus(operation: SpecOperation, status: number): SpecResponse | undefined {
  const keys = [String(status), `${String(status)[0]}XX`, 'default'];
  for (const key of keys) {
    const found = operation.responses.find((response) => response.status.toUpperCase() === key.toUpperCase());
    if (found) return found;
  }
  return undefined;
}

/** The media type a mock answers with: `application/json` when the response has it, else its first. */
function answeredMediaType(response: SpecResponse): string | undefined {
  const types = Object.keys(response.value.content ?? {});
  return types.includes('application/json') ? 'application/json' : types[0];
}

/**
 * The examples of a response's body, in the order the spec lists them: each of `examples` by its
 * name (`$ref`s followed), or a lone `example` named `example`. Empty when it documents none.
 */
export function responseExamples(document: object, response: SpecResponse): ResponseExample[] {
  const mediaType = answeredMediaType(response);
  if (mediaType === undefined) return [];
  const content = response.value.content?.[mediaType];
  if (!content) return [];
  if (content.examples) {
    return Object.entries(content.examples).map(([name, example]) => ({
      name,
      value: resolveReference<OpenAPIV3.ExampleObject>(document, example).value.value,
    }));
  }
  return content.example === undefined ? [] : [{ name: 'example', value: content.example }];
}

/**
 * The response headers the spec gives an example for (the header's `example`, else its schema's),
 * by the header's name as documented: what a mock sends beside an example body.
 */
export function responseHeaderExamples(document: object, response: SpecResponse): Record<string, string> {
  const examples: Record<string, string> = {};
  for (const [name, header] of Object.entries(response.value.headers ?? {})) {
    const resolved = resolveReference<OpenAPIV3.HeaderObject>(document, header).value;
    const schema = resolved.schema && resolveReference<OpenAPIV3.SchemaObject>(document, resolved.schema).value;
    const example = resolved.example ?? schema?.example;
    if (example !== undefined) examples[name] = String(example);
  }
  return examples;
}

/** What a request asks a mock of the spec for, in its `Prefer` header (see {@link mockPreference}). */
export interface MockPreference {
  /** `code=N`: the documented response of this status. */
  readonly status?: number;
  /** `example=NAME`: that example of the response. */
  readonly example?: string;
  /** Why the header cannot be honoured (`code` is not an HTTP status); absent when it can. */
  readonly invalid?: string;
}

/**
 * Reads a `Prefer` header as Prism does (`Prefer: code=404, example=tenantNotFound`; `,` or `;`
 * between preferences, values optionally quoted): how a test asks any mock of this spec for one of
 * its documented responses.
 */
export function mockPreference(header: string | readonly string[] | null | undefined): MockPreference {
  if (header === undefined || header === null) return {};
  const preferences = new Map<string, string>();
  for (const part of (typeof header === 'string' ? header : header.join(',')).split(/[,;]/)) {
    const [name = '', ...value] = part.split('=');
    preferences.set(
      name.trim().toLowerCase(),
      value
        .join('=')
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    );
  }
  const code = preferences.get('code');
  const example = preferences.get('example') || undefined;
  if (code === undefined) return example ? { example } : {};
  if (!/^[1-5]\d\d$/.test(code)) return { invalid: `Prefer: code=${code} is not an HTTP status` };
  return example ? { status: Number(code), example } : { status: Number(code) };
}
