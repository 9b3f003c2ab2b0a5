import { HTTP_METHODS, jsonPointer, resolveReference } from '@usagebudget/openapi/pointer';
import type { OpenAPIV3 } from 'openapi-types';

/** One response an operation of the spec documents: the unit every scenario covers. */
export interface DocumentedResponse {
  readonly operationId: string;
  /** Upper case, e.g. `PATCH`. */
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** JSON pointer of the JSON body's schema, for `createSpecValidator().compile()`. */
  readonly schemaPointer: string;
  /** The response headers the spec declares, lower case. */
  readonly headers: readonly string[];
  /** The JSON body's examples by name, `$ref`s resolved. */
  readonly examples: Readonly<Record<string, unknown>>;
}

const JSON_MEDIA_TYPE = 'application/json';

/** Follows `$ref`s from the node at `pointer`: the node they end on, and its own pointer. */
export function resolve<T>(document: OpenAPIV3.Document, pointer: string): { value: T; pointer: string } {
  const resolved = resolveReference<T>(document, { $ref: pointer });
  return { value: resolved.value, pointer: resolved.pointer ?? pointer };
}

/**
 * Every (operation, status) the spec documents. A status the suite cannot address (`default`,
 * `4XX`) or a body that is not JSON throws, so a spec change of that kind fails loudly.
 */
export function documentedResponses(document: OpenAPIV3.Document): DocumentedResponse[] {
  const found: DocumentedResponse[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item?.[method];
      if (!operation) continue;
      const operationPointer = jsonPointer('#', 'paths', path, method);
      const operationId = operation.operationId ?? `${method.toUpperCase()} ${path}`;
      for (const key of Object.keys(operation.responses)) {
        if (!/^[1-5]\d\d$/.test(key)) throw new Error(`${operationId}: response "${key}" is not an explicit status`);
        const response = resolve<OpenAPIV3.ResponseObject>(document, jsonPointer(operationPointer, 'responses', key));
        const media = response.value.content?.[JSON_MEDIA_TYPE];
        if (!media?.schema) throw new Error(`${operationId} ${key}: no ${JSON_MEDIA_TYPE} body schema`);
        const schema = resolve(document, jsonPointer(response.pointer, 'content', JSON_MEDIA_TYPE, 'schema'));
        const examples = Object.fromEntries(
          Object.keys(media.examples ?? {}).map((name) => {
            const examplePointer = jsonPointer(response.pointer, 'content', JSON_MEDIA_TYPE, 'examples', name);
            return [name, resolve<OpenAPIV3.ExampleObject>(document, examplePointer).value.value];
          }),
        );
        found.push({
          operationId,
          method: method.toUpperCase(),
          path,
          status: Number(key),
          schemaPointer: schema.pointer,
          headers: Object.keys(response.value.headers ?? {}).map((name) => name.toLowerCase()),
          examples,
        });
      }
    }
  }
  return found;
}

/** The documented response of `operationId` with `status`; throws when the spec has none. */
export function findResponse(
  responses: readonly DocumentedResponse[],
  operationId: string,
  status: number,
): DocumentedResponse {
  const response = responses.find((entry) => entry.operationId === operationId && entry.status === status);
  if (!response) throw new Error(`the spec documents no ${status} for ${operationId}`);
  return response;
}
