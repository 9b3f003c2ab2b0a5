import { resolvePointer, specOperations } from '@usagebudget/openapi/operations';
import { jsonPointer } from '@usagebudget/openapi/pointer';
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

/**
 * Every (operation, status) the spec documents, from the spec package's walk of the document. A
 * status the suite cannot address (`default`, `4XX`) or a body that is not JSON throws, so a spec
 * change of that kind fails loudly.
 */
export function documentedResponses(document: OpenAPIV3.Document): DocumentedResponse[] {
  return specOperations(document).flatMap(({ method, path, operationId, responses }) =>
    responses.map(({ status, value: response, pointer }) => {
      if (!/^[1-5]\d\d$/.test(status))
        throw new Error(`${operationId}: response "${status}" is not an explicit status`);
      const media = response.content?.[JSON_MEDIA_TYPE];
      if (!media?.schema) throw new Error(`${operationId} ${status}: no ${JSON_MEDIA_TYPE} body schema`);
      const content = jsonPointer(pointer, 'content', JSON_MEDIA_TYPE);
      const examples = Object.fromEntries(
        Object.keys(media.examples ?? {}).map((name) => [
          name,
          resolvePointer<OpenAPIV3.ExampleObject>(document, jsonPointer(content, 'examples', name)).value.value,
        ]),
      );
      return {
        operationId,
        method: method.toUpperCase(),
        path,
        status: Number(status),
        schemaPointer: resolvePointer(document, jsonPointer(content, 'schema')).pointer,
        headers: Object.keys(response.headers ?? {}).map((name) => name.toLowerCase()),
        examples,
      };
    }),
  );
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
