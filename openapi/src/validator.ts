import { Ajv, type ErrorObject } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { OpenAPIV3 } from 'openapi-types';
import { VENDOR_COMBINATORS } from './pointer.js';
import { DECIMAL_PATTERN, GUID_PATTERN } from './rules.js';

export interface SchemaCheck {
  readonly valid: boolean;
  /** One line per problem, e.g. `/amount must be >= 0`. Empty when valid. */
  readonly errors: readonly string[];
  /** Ajv's raw errors, for callers that map them to their own fault codes. */
  readonly details: readonly ErrorObject[];
}

export type SchemaCheckFunction = (value: unknown) => SchemaCheck;

export interface SpecValidator {
  /**
   * Compiles the schema found at a JSON pointer into the spec, e.g.
   * `#/components/schemas/SpendingBudget` or `#/components/parameters/CustomerTenantId/schema`.
   * Compiled functions are cached per pointer.
   */
  compile(pointer: string): SchemaCheckFunction;
  /** `compile(pointer)(value)`. */
  validate(pointer: string, value: unknown): SchemaCheck;
}

const SPEC_ID = 'usagebudget-spec';

// ajv-formats is CommonJS; its function is reachable as `.default` from both ESM and CJS.
const addFormats = ajvFormats.default;

function formatError(error: ErrorObject): string {
  const where = error.instancePath || '(root)';
  if (error.keyword === 'additionalProperties') {
    return `${where} has unknown property '${String(error.params.additionalProperty)}'`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}

/**
 * Validators compiled from an OpenAPI 3.0 document (its `nullable`, `readOnly` and formats
 * included), so every workspace checks values against the spec itself, never a copied schema.
 */
export function createSpecValidator(document: OpenAPIV3.Document): SpecValidator {
  // strict: false because the OpenAPI document around the schemas is not itself a JSON Schema.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // ajv-formats' uuid also accepts a `urn:uuid:` prefix, which Partner Center does not.
  ajv.addFormat('uuid', GUID_PATTERN);
  // The spec's `Decimal` (a cost's digits as a string); its schema's pattern says the same.
  ajv.addFormat('decimal', DECIMAL_PATTERN);
  // The spec's `x-anyOf` and `x-oneOf` are `anyOf` and `oneOf` (see VENDOR_COMBINATORS).
  for (const [keyword, combinator] of Object.entries(VENDOR_COMBINATORS)) {
    ajv.addKeyword({ keyword, macro: (branches: unknown) => ({ [combinator]: branches }) });
  }
  // Not checked against JSON Schema's meta-schema: the build validates the spec as OpenAPI, and
  // checking it again here costs every process that starts a validator about 100 ms.
  ajv.addSchema(document as object, SPEC_ID, undefined, false);
  const cache = new Map<string, SchemaCheckFunction>();

  const compile = (pointer: string): SchemaCheckFunction => {
    const cached = cache.get(pointer);
    if (cached) return cached;
    if (!pointer.startsWith('#/')) throw new Error(`not a JSON pointer into the spec: ${pointer}`);
    const validateFn = ajv.compile({ $ref: `${SPEC_ID}${pointer}` });
    const check: SchemaCheckFunction = (value) => {
      if (validateFn(value)) return { valid: true, errors: [], details: [] };
      const details = validateFn.errors ?? [];
      return { valid: false, errors: details.map(formatError), details };
    };
    cache.set(pointer, check);
    return check;
  };

  return { compile, validate: (pointer, value) => compile(pointer)(value) };
}
