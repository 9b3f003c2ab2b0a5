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

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const JSON_MEDIA_TYPE = 'application/json';

const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

function at(document: OpenAPIV3.Document, pointer: string): unknown {
  if (!pointer.startsWith('#/')) throw new Error(`only local references are supported: ${pointer}`);
  let node: unknown = document;
  for (const raw of pointer.slice(2).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = (node as Record<string, unknown> | undefined)?.[segment];
    if (node === undefined) throw new Error(`the spec has nothing at ${pointer}`);
  }
  return node;
}

/** Follows `$ref`s from the node at `pointer`: the node they end on, and its own pointer. */
export function resolve<T>(document: OpenAPIV3.Document, pointer: string): { value: T; pointer: string } {
  let current = pointer;
  let node = at(document, current);
  const seen = new Set<string>();
  while (typeof node === 'object' && node !== null && '$ref' in node) {
    if (seen.has(current)) throw new Error(`a $ref cycle at ${current}`);
    seen.add(current);
    current = String(node.$ref);
    node = at(document, current);
  }
  return { value: node as T, pointer: current };
}

/**
 * Every (operation, status) the spec documents. A status the suite cannot address (`default`,
 * `4XX`) or a body that is not JSON throws, so a spec change of that kind fails loudly.
 */
export function documentedResponses(document: OpenAPIV3.Document): DocumentedResponse[] {
  const found: DocumentedResponse[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (!operation) continue;
      const operationPointer = `#/paths/${escapePointer(path)}/${method}`;
      const operationId = operation.operationId ?? `${method.toUpperCase()} ${path}`;
      for (const key of Object.keys(operation.responses)) {
        if (!/^[1-5]\d\d$/.test(key)) throw new Error(`${operationId}: response "${key}" is not an explicit status`);
        const response = resolve<OpenAPIV3.ResponseObject>(document, `${operationPointer}/responses/${key}`);
        const media = response.value.content?.[JSON_MEDIA_TYPE];
        if (!media?.schema) throw new Error(`${operationId} ${key}: no ${JSON_MEDIA_TYPE} body schema`);
        const schema = resolve(document, `${response.pointer}/content/${escapePointer(JSON_MEDIA_TYPE)}/schema`);
        const examples = Object.fromEntries(
          Object.keys(media.examples ?? {}).map((name) => {
            const examplePointer = `${response.pointer}/content/${escapePointer(JSON_MEDIA_TYPE)}/examples/${escapePointer(name)}`;
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
