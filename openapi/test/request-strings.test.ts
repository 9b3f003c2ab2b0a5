import { spec } from '@usagebudget/openapi';
import { resolvePointer, specOperations } from '@usagebudget/openapi/operations';
import { jsonPointer } from '@usagebudget/openapi/pointer';
import type { OpenAPIV3 } from 'openapi-types';
import { describe, expect, it } from 'vitest';

type Schema = OpenAPIV3.SchemaObject;

/**
 * The pointer of every string schema a request can carry that has no bound: no `maxLength` and
 * no `enum` (a closed list bounds it too, as Spectral's OWASP string-limit rule accepts). From
 * each operation's parameters and request bodies, through `$ref`s, properties, items, maps and
 * compositions; read-only properties are left out, since requests do not send them.
 */
function unboundedRequestStrings(document: OpenAPIV3.Document): string[] {
  const unbounded = new Set<string>();
  const visited = new Set<string>();
  const walk = (pointer: string) => {
    const { value: schema, pointer: at } = resolvePointer<Schema>(document, pointer);
    if (visited.has(at)) return;
    visited.add(at);
    if (schema.type === 'string' && schema.maxLength === undefined && schema.enum === undefined) unbounded.add(at);
    for (const name of Object.keys(schema.properties ?? {})) {
      const property = jsonPointer(at, 'properties', name);
      if (!resolvePointer<Schema>(document, property).value.readOnly) walk(property);
    }
    if (schema.type === 'array') walk(jsonPointer(at, 'items'));
    if (typeof schema.additionalProperties === 'object') walk(jsonPointer(at, 'additionalProperties'));
    for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
      (schema[keyword] ?? []).forEach((_, index) => {
        walk(jsonPointer(at, keyword, String(index)));
      });
    }
  };
  for (const operation of specOperations(document)) {
    for (const parameter of operation.parameters) {
      if (parameter.value.schema) walk(jsonPointer(parameter.pointer, 'schema'));
    }
    for (const mediaType of Object.keys(operation.requestBody?.value.content ?? {})) {
      walk(jsonPointer(operation.requestBody?.pointer as string, 'content', mediaType, 'schema'));
    }
  }
  return [...unbounded];
}

describe('request strings', () => {
  it('are all bounded: every string a request can carry has a maxLength (or is an enum)', () => {
    expect(unboundedRequestStrings(spec)).toEqual([]);
  });

  it('are found wherever a request can carry them, and only there', () => {
    const document: OpenAPIV3.Document = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/x/{id}': {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          put: {
            operationId: 'putX',
            parameters: [
              { name: 'h', in: 'header', schema: { type: 'string', maxLength: 9 } },
              { name: 'mode', in: 'query', schema: { type: 'string', enum: ['a', 'b'] } },
            ],
            requestBody: {
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Body' } } },
            },
            responses: {
              '200': { description: 'ok', content: { 'application/json': { schema: { type: 'string' } } } },
            },
          },
        },
      },
      components: {
        schemas: {
          Body: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              tags: { type: 'array', items: { type: 'string' } },
              map: { type: 'object', additionalProperties: { type: 'string' } },
              either: { oneOf: [{ type: 'integer' }, { type: 'string' }] },
              self: { $ref: '#/components/schemas/Body' },
              links: { readOnly: true, type: 'object', properties: { uri: { type: 'string' } } },
              shown: { $ref: '#/components/schemas/Shown' },
              bounded: { type: 'string', maxLength: 3 },
            },
          },
          Shown: { type: 'string', readOnly: true },
        },
      },
    };
    expect(unboundedRequestStrings(document).sort()).toEqual(
      [
        '#/paths/~1x~1{id}/parameters/0/schema',
        '#/components/schemas/Body/properties/name',
        '#/components/schemas/Body/properties/tags/items',
        '#/components/schemas/Body/properties/map/additionalProperties',
        '#/components/schemas/Body/properties/either/oneOf/1',
      ].sort(),
    );
  });
});
