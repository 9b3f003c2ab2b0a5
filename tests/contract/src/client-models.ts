import type {
  ApiFault,
  KeyValuePair,
  Link,
  ResourceAttributes,
  ResourceLinks,
  SpendingBudget,
  ThrottleFault,
} from '@usagebudget/client';
import { resolvePointer } from '@usagebudget/openapi/operations';
import type { OpenAPIV3 } from 'openapi-types';

type ElementOf<T> = T extends readonly (infer Item)[] ? Item : T;

/**
 * The property names of a client model, nested models included. Declared with this type, an
 * object literal must list exactly the model's properties, so when the committed client's
 * generated models change, this file stops compiling until it is updated.
 */
export type ModelShape<T> = {
  readonly [K in keyof T]-?: ElementOf<NonNullable<T[K]>> extends object
    ? ModelShape<ElementOf<NonNullable<T[K]>>>
    : true;
};

const keyValuePair: ModelShape<KeyValuePair> = { key: true, value: true };
const link: ModelShape<Link> = { uri: true, method: true, headers: keyValuePair };
const resourceAttributes: ModelShape<ResourceAttributes> = { objectType: true, etag: true };
const resourceLinks: ModelShape<ResourceLinks> = { self: link, next: link, previous: link };

/** The client's models by the name of the spec schema each was generated from. */
export const clientModels: Readonly<Record<string, object>> = {
  SpendingBudget: {
    amount: true,
    usageSpendingBudget: true,
    attributes: resourceAttributes,
    links: resourceLinks,
  } satisfies ModelShape<SpendingBudget>,
  ResourceAttributes: resourceAttributes,
  ResourceLinks: resourceLinks,
  Link: link,
  KeyValuePair: keyValuePair,
  ApiFault: { code: true, description: true, data: true, source: true } satisfies ModelShape<ApiFault>,
  ThrottleFault: { statusCode: true, message: true } satisfies ModelShape<ThrottleFault>,
};

const SCHEMA_PREFIX = '#/components/schemas/';

/** The client model generated from the schema at `pointer`; throws when the client has none. */
export function clientModelFor(schemaPointer: string): object {
  const name = schemaPointer.startsWith(SCHEMA_PREFIX) ? schemaPointer.slice(SCHEMA_PREFIX.length) : undefined;
  const model = name === undefined ? undefined : clientModels[name];
  if (!model) throw new Error(`the client has no model for the spec's ${schemaPointer}`);
  return model;
}

/** Paths of the properties in `value` that the client's model does not declare. */
export function fieldsUnknownToClient(value: unknown, model: object, path = ''): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => fieldsUnknownToClient(item, model, `${path}/${index}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const inner = (model as Record<string, unknown>)[key];
    if (inner === undefined) return [`${path}/${key}`];
    return typeof inner === 'object' && inner !== null ? fieldsUnknownToClient(child, inner, `${path}/${key}`) : [];
  });
}

/**
 * Where the schema at `pointer` and the client model disagree on property names, in both
 * directions, nested schemas (`$ref`, `items`) included.
 */
export function schemaModelMismatches(
  document: OpenAPIV3.Document,
  pointer: string,
  model: object,
  path = pointer,
): string[] {
  let schema = resolvePointer<OpenAPIV3.SchemaObject>(document, pointer);
  if (schema.value.type === 'array') schema = resolvePointer(document, `${schema.pointer}/items`);
  const declared = Object.keys(schema.value.properties ?? {});
  const known = Object.keys(model);
  const mismatches = [
    ...declared.filter((key) => !known.includes(key)).map((key) => `${path}/${key}: in the spec, not in the client`),
    ...known.filter((key) => !declared.includes(key)).map((key) => `${path}/${key}: in the client, not in the spec`),
  ];
  for (const key of declared.filter((name) => known.includes(name))) {
    const inner = (model as Record<string, unknown>)[key];
    if (typeof inner === 'object' && inner !== null) {
      mismatches.push(
        ...schemaModelMismatches(document, `${schema.pointer}/properties/${key}`, inner, `${path}/${key}`),
      );
    }
  }
  return mismatches;
}
