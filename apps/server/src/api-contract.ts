import { HTTP_METHODS, jsonPointer, nodeAt, resolveReference } from '@usagebudget/openapi/pointer';
import type { SchemaCheckFunction, SpecValidator } from '@usagebudget/openapi/validator';
import type { OpenAPIV3 } from 'openapi-types';
import { type BindingShape, bindingShapeOf } from './body-binding.js';

/** A parameter of an operation and the check of its value against the spec's schema. */
export interface ParameterRule {
  /** As the spec spells it, e.g. `MS-RequestId`. */
  readonly name: string;
  /** Header parameters: the lower-case name Node uses in `req.headers`. */
  readonly key: string;
  readonly check: SchemaCheckFunction;
}

export interface BodyRule {
  readonly mediaType: string;
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
  readonly body: BodyRule | undefined;
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

function matcher(template: string): (path: string) => string[] | undefined {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = template
    .split(/\{[^}]+\}/)
    .map(literal)
    .join('([^/]+)');
  const pattern = new RegExp(`^${source}$`);
  return (path) => pattern.exec(path)?.slice(1);
}

/**
 * The request rules of every operation in the spec: routes, parameter checks, body binding and
 * body schema, all compiled from the document itself so the server cannot drift from it.
 */
export function compileContract(document: OpenAPIV3.Document, validator: SpecValidator): RouteRule[] {
  const resolveSchema = (ref: string) => nodeAt(document, ref) as OpenAPIV3.SchemaObject;

  const parameterRules = (
    entries: readonly (OpenAPIV3.ParameterObject | OpenAPIV3.ReferenceObject)[],
    at: string[],
  ): { parameter: OpenAPIV3.ParameterObject; rule: ParameterRule }[] =>
    entries.map((entry, index) => {
      const resolved = resolveReference(document, entry);
      const parameter = resolved.value;
      const schemaPointer = jsonPointer(resolved.pointer ?? jsonPointer('#', ...at, String(index)), 'schema');
      const rule = { name: parameter.name, key: parameter.name.toLowerCase(), check: validator.compile(schemaPointer) };
      return { parameter, rule };
    });

  const bodyRule = (entry: OpenAPIV3.RequestBodyObject | OpenAPIV3.ReferenceObject, at: string[]): BodyRule => {
    const resolved = resolveReference(document, entry);
    const bodyPointer = resolved.pointer ?? jsonPointer('#', ...at);
    const [mediaType, content] = Object.entries(resolved.value.content)[0] ?? [];
    if (!mediaType || !content?.schema) throw new Error(`${bodyPointer} has no schema`);
    const schemaPointer =
      resolveReference(document, content.schema).pointer ?? jsonPointer(bodyPointer, 'content', mediaType, 'schema');
    return {
      mediaType,
      shape: bindingShapeOf(content.schema, resolveSchema),
      check: validator.compile(schemaPointer),
    };
  };

  return Object.entries(document.paths).map(([pathTemplate, item]) => {
    if (!item) throw new Error(`the spec's path ${pathTemplate} is empty`);
    const shared = parameterRules(item.parameters ?? [], ['paths', pathTemplate, 'parameters']);
    const operations = new Map<string, OperationRule>();
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const own = parameterRules(operation.parameters ?? [], ['paths', pathTemplate, method, 'parameters']);
      // An operation's own parameter overrides the path item's one of the same name and location.
      const all = [...shared, ...own].filter(
        ({ parameter }, index, list) =>
          !list
            .slice(index + 1)
            .some((later) => later.parameter.name === parameter.name && later.parameter.in === parameter.in),
      );
      const placeholders = [...pathTemplate.matchAll(/\{([^}]+)\}/g)].map((found) => found[1]);
      const pathParameters = placeholders.map((name) => {
        const found = all.find(({ parameter }) => parameter.in === 'path' && parameter.name === name);
        if (!found) throw new Error(`the spec declares no path parameter {${name}} for ${pathTemplate}`);
        return found.rule;
      });
      if (!operation.operationId) throw new Error(`${method.toUpperCase()} ${pathTemplate} has no operationId`);
      operations.set(method.toUpperCase(), {
        operationId: operation.operationId,
        method: method.toUpperCase(),
        pathTemplate,
        pathParameters,
        headerParameters: all.filter(({ parameter }) => parameter.in === 'header').map(({ rule }) => rule),
        body: operation.requestBody && bodyRule(operation.requestBody, ['paths', pathTemplate, method, 'requestBody']),
      });
    }
    return { pathTemplate, operations, allow: [...operations.keys()].join(', '), match: matcher(pathTemplate) };
  });
}
