import {
  type Located,
  pathParameterNames,
  pathTemplateMatcher,
  type SpecOperation,
  specOperations,
} from '@usagebudget/openapi/operations';
import { jsonPointer, nodeAt, resolveReference } from '@usagebudget/openapi/pointer';
import type { SchemaCheckFunction, SpecValidator } from '@usagebudget/openapi/validator';
import type { OpenAPIV3 } from 'openapi-types';
import { type BindingShape, bindingShapeOf } from './body-binding.js';

/** A parameter of an operation and the check of its value against the spec's schema. */
export interface ParameterRule {
  /** As the spec spells it, e.g. `MS-RequestId`. */
  readonly name: string;
  /** Header parameters: the lower-case name Node uses in `req.headers`. */
  readonly key: string;
  /** Where the parameter is declared, e.g. `#/components/parameters/CustomerTenantId`. */
  readonly pointer: string;
  /** Its schema, `$ref`s followed. */
  readonly schema: OpenAPIV3.SchemaObject;
  readonly check: SchemaCheckFunction;
}

const SCHEMAS = '#/components/schemas/';

/** The token kinds the spec names in `x-token-kinds`. */
export const SPEC_TOKEN_KINDS = ['app-only', 'app+user'] as const;
export type SpecTokenKind = (typeof SPEC_TOKEN_KINDS)[number];

export interface BodyRule {
  readonly mediaType: string;
  /**
   * For a body the schema makes a JSON object: the schema's name (`SpendingBudget`), or `''` for
   * an inline schema. `undefined` when the body need not be an object.
   */
  readonly objectName: string | undefined;
  /** Case-insensitive binding of the body's properties onto the schema's declared properties. */
  readonly shape: BindingShape;
  readonly check: SchemaCheckFunction;
}

export interface OperationRule {
  readonly operationId: string;
  readonly method: string;
  readonly pathTemplate: string;
  /** In the order their segments appear in the path. */
  readonly pathParameters: readonly ParameterRule[];
  readonly headerParameters: readonly ParameterRule[];
  readonly queryParameters: readonly ParameterRule[];
  readonly body: BodyRule | undefined;
  /** The kinds of token the operation accepts: its `x-token-kinds`. */
  readonly tokenKinds: readonly SpecTokenKind[];
}

export interface RouteRule {
  readonly pathTemplate: string;
  /** By upper-case method. */
  readonly operations: ReadonlyMap<string, OperationRule>;
  /** The `Allow` header for this path. */
  readonly allow: string;
  /** The path parameter values when `path` matches the template, else `undefined`. */
  match(path: string): string[] | undefined;
}

/**
 * The request rules of every operation in the spec: routes, parameter checks, body binding and
 * body schema, compiled from the spec package's walk of the document so the server cannot drift
 * from it.
 */
export function compileContract(document: OpenAPIV3.Document, validator: SpecValidator): RouteRule[] {
  const resolveSchema = (ref: string) => nodeAt(document, ref) as OpenAPIV3.SchemaObject;

  const parameterRule = ({ value, pointer }: Located<OpenAPIV3.ParameterObject>): ParameterRule => {
    if (!value.schema) throw new Error(`${pointer} has no schema`);
    return {
      name: value.name,
      key: value.name.toLowerCase(),
      pointer,
      schema: resolveReference<OpenAPIV3.SchemaObject>(document, value.schema).value,
      check: validator.compile(jsonPointer(pointer, 'schema')),
    };
  };

  const tokenKinds = (operation: SpecOperation): SpecTokenKind[] => {
    const kinds: unknown = (operation.operation as { 'x-token-kinds'?: unknown })['x-token-kinds'];
    const known = (kind: unknown): kind is SpecTokenKind => (SPEC_TOKEN_KINDS as readonly unknown[]).includes(kind);
    if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every(known)) {
      throw new Error(`${operation.pointer} must list the token kinds it accepts in x-token-kinds`);
    }
    return kinds;
  };

  const bodyRule = ({ value, pointer }: Located<OpenAPIV3.RequestBodyObject>): BodyRule => {
    const [mediaType, content] = Object.entries(value.content)[0] ?? [];
    if (!mediaType || !content?.schema) throw new Error(`${pointer} has no schema`);
    const resolved = resolveReference<OpenAPIV3.SchemaObject>(document, content.schema);
    const schemaPointer = resolved.pointer ?? jsonPointer(pointer, 'content', mediaType, 'schema');
    const named = resolved.pointer?.startsWith(SCHEMAS) ? resolved.pointer.slice(SCHEMAS.length) : '';
    return {
      mediaType,
      objectName: resolved.value.type === 'object' ? named : undefined,
      shape: bindingShapeOf(content.schema, resolveSchema),
      check: validator.compile(schemaPointer),
    };
  };

  const routes = new Map<string, Map<string, OperationRule>>();
  for (const operation of specOperations(document)) {
    const pathParameters = pathParameterNames(operation.path).map((name) => {
      const found = operation.parameters.find(({ value }) => value.in === 'path' && value.name === name);
      if (!found) throw new Error(`the spec declares no path parameter {${name}} for ${operation.path}`);
      return parameterRule(found);
    });
    const method = operation.method.toUpperCase();
    const byMethod = routes.get(operation.path) ?? new Map<string, OperationRule>();
    routes.set(operation.path, byMethod);
    byMethod.set(method, {
      operationId: operation.operationId,
      method,
      pathTemplate: operation.path,
      pathParameters,
      headerParameters: operation.parameters.filter(({ value }) => value.in === 'header').map(parameterRule),
      queryParameters: operation.parameters.filter(({ value }) => value.in === 'query').map(parameterRule),
      body: operation.requestBody && bodyRule(operation.requestBody),
      tokenKinds: tokenKinds(operation),
    });
  }
  return [...routes].map(([pathTemplate, operations]) => ({
    pathTemplate,
    operations,
    allow: [...operations.keys()].join(', '),
    match: pathTemplateMatcher(pathTemplate),
  }));
}

/** The rules of the operation with this operationId; throws when the spec has none. */
export function operationRule(routes: readonly RouteRule[], operationId: string): OperationRule {
  for (const route of routes) {
    for (const operation of route.operations.values()) if (operation.operationId === operationId) return operation;
  }
  throw new Error(`the spec has no operation ${operationId}`);
}
