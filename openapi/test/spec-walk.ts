import type { OpenAPIV3 } from 'openapi-types';

type Ref = OpenAPIV3.ReferenceObject;
const isRef = (value: unknown): value is Ref =>
  typeof value === 'object' && value !== null && typeof (value as Ref).$ref === 'string';

/** Follows local $refs (`#/...`) until it reaches an object that is not a reference. */
export function deref<T>(document: OpenAPIV3.Document, value: T | Ref): T {
  let current: unknown = value;
  for (let hops = 0; isRef(current); hops++) {
    if (hops > 16) throw new Error(`reference cycle at ${current.$ref}`);
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>(
        (node, key) => (node as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')],
        document,
      );
  }
  return current as T;
}

export interface OperationEntry {
  path: string;
  method: string;
  operation: OpenAPIV3.OperationObject;
}

export function operations(document: OpenAPIV3.Document): OperationEntry[] {
  const methods = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'] as const;
  return Object.entries(document.paths).flatMap(([path, item]) =>
    methods.flatMap((method) => (item?.[method] ? [{ path, method, operation: item[method] }] : [])),
  );
}

/** A media type's schema as a JSON pointer into the spec, so the spec's own validator checks it. */
export function schemaPointer(schema: OpenAPIV3.SchemaObject | Ref | undefined, fallback: string): string {
  return isRef(schema) ? schema.$ref : fallback;
}
