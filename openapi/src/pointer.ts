import type { OpenAPIV3 } from 'openapi-types';

/** The operations a path item may hold, in the order OpenAPI lists them. */
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The spec's vendor keywords for a union of primitive types (`x-anyOf` for a cost, `x-oneOf` for
 * `ApiFault.code`), each with the keyword it stands for: a union kept out of code generators'
 * sight, since they cannot carry it (the spec's "Generated clients" correction).
 * `createSpecValidator` applies them as the keywords they stand for.
 */
export const VENDOR_COMBINATORS = { 'x-anyOf': 'anyOf', 'x-oneOf': 'oneOf' } as const;

/**
 * `base` (a JSON pointer; `#` for the document) extended by raw segments, each escaped per
 * RFC 6901: `jsonPointer('#', 'paths', '/v1/x', 'get')` is `#/paths/~1v1~1x/get`.
 */
export function jsonPointer(base: string, ...segments: readonly string[]): string {
  return [base, ...segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1'))].join('/');
}

/** The node at a local JSON pointer into `document`; throws when there is nothing there. */
export function nodeAt(document: object, pointer: string): unknown {
  if (!pointer.startsWith('#/')) throw new Error(`only local references are supported: ${pointer}`);
  let node: unknown = document;
  for (const raw of pointer.slice(2).split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[raw.replaceAll('~1', '/').replaceAll('~0', '~')];
    if (node === undefined) throw new Error(`the spec has nothing at ${pointer}`);
  }
  return node;
}

const isReference = (node: unknown): node is OpenAPIV3.ReferenceObject =>
  typeof node === 'object' && node !== null && typeof (node as OpenAPIV3.ReferenceObject).$ref === 'string';

/**
 * Follows `$ref`s from `node` to the node they end on. `pointer` is where that node is in the
 * spec, or `undefined` when `node` was not a reference (it is inline, wherever it came from).
 */
export function resolveReference<T>(
  document: object,
  node: T | OpenAPIV3.ReferenceObject,
): { value: T; pointer: string | undefined } {
  let pointer: string | undefined;
  let current: unknown = node;
  const seen = new Set<string>();
  while (isReference(current)) {
    if (seen.has(current.$ref)) throw new Error(`a $ref cycle at ${current.$ref}`);
    seen.add(current.$ref);
    pointer = current.$ref;
    current = nodeAt(document, pointer);
  }
  return { value: current as T, pointer };
}
