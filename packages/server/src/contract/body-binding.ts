import type { OpenAPIV3 } from 'openapi-types';

type SchemaOrRef = OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject;

/** Where a request value may go: the properties a schema declares (by lower-case name) and its array items. */
export interface BindingShape {
  readonly properties: ReadonlyMap<string, { readonly name: string; readonly shape: BindingShape }>;
  readonly items: BindingShape | undefined;
}

export interface Binding {
  /** The value with its keys renamed to the declared names; undeclared and read-only ones dropped. */
  readonly value: unknown;
  /** Dotted paths of declared properties the input gave more than once, in different casings. */
  readonly conflicts: readonly string[];
}

/**
 * The binding shape of a schema: each object's declared properties (read-only ones left out, since
 * a request may send them but the server ignores them) and each array's items, recursively.
 */
export function bindingShapeOf(schema: SchemaOrRef, resolve: (ref: string) => OpenAPIV3.SchemaObject): BindingShape {
  const seen = new Map<OpenAPIV3.SchemaObject, BindingShape>();
  const build = (node: SchemaOrRef): BindingShape => {
    const target = '$ref' in node ? resolve(node.$ref) : node;
    const known = seen.get(target);
    if (known) return known;
    const properties = new Map<string, { name: string; shape: BindingShape }>();
    const shape: { properties: typeof properties; items: BindingShape | undefined } = { properties, items: undefined };
    seen.set(target, shape);
    for (const [name, property] of Object.entries(target.properties ?? {})) {
      const resolved = '$ref' in property ? resolve(property.$ref) : property;
      if (resolved.readOnly || ('readOnly' in property && property.readOnly)) continue;
      properties.set(name.toLowerCase(), { name, shape: build(property) });
    }
    if (target.type === 'array') shape.items = build(target.items);
    return shape;
  };
  return build(schema);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Binds a parsed JSON value onto a shape the way Partner Center binds request bodies: property
 * names case-insensitively (`Amount` is `amount`), unknown properties ignored. Only declared names
 * become keys of the result, so keys such as `__proto__` or `constructor` never reach it.
 */
export function bind(value: unknown, shape: BindingShape): Binding {
  const conflicts: string[] = [];
  const walk = (input: unknown, at: BindingShape, path: string): unknown => {
    if (Array.isArray(input)) return at.items ? input.map((item) => walk(item, at.items as BindingShape, path)) : input;
    if (!isPlainObject(input) || at.properties.size === 0) return input;
    const output: Record<string, unknown> = {};
    for (const key of Object.keys(input)) {
      const declared = at.properties.get(key.toLowerCase());
      if (!declared) continue;
      const where = path ? `${path}.${declared.name}` : declared.name;
      if (Object.hasOwn(output, declared.name)) conflicts.push(where);
      output[declared.name] = walk(input[key], declared.shape, where);
    }
    return output;
  };
  return { value: walk(value, shape, ''), conflicts };
}
