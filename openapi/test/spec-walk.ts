import { HTTP_METHODS, resolveReference } from '@usagebudget/openapi/pointer';
import type { OpenAPIV3 } from 'openapi-types';

type Ref = OpenAPIV3.ReferenceObject;

/** Follows local $refs (`#/...`) until it reaches an object that is not a reference. */
export function deref<T>(document: OpenAPIV3.Document, value: T | Ref): T {
  return resolveReference(document, value).value;
}

export interface OperationEntry {
  path: string;
  method: string;
  operation: OpenAPIV3.OperationObject;
}

export function operations(document: OpenAPIV3.Document): OperationEntry[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => (item?.[method] ? [{ path, method, operation: item[method] }] : [])),
  );
}

/** A media type's schema as a JSON pointer into the spec, so the spec's own validator checks it. */
export function schemaPointer(schema: OpenAPIV3.SchemaObject | Ref | undefined, fallback: string): string {
  return schema && '$ref' in schema ? schema.$ref : fallback;
}
