import { topLevelNumberTexts } from '@usagebudget/openapi/json-numbers';
import { bind } from '../contract/body-binding.js';
import type { BodyRule } from '../contract/compile-contract.js';
import { faults } from '../contract/faults.js';

/** A request body the front door has read, bound onto the spec's schema and checked against it. */
export interface CheckedBody {
  /**
   * The body with its property names bound onto the ones the schema declares (case-insensitively,
   * as Partner Center binds them; undeclared and read-only ones dropped), valid against the schema.
   */
  readonly value: unknown;
  /**
   * The source text of a top-level number member, by its declared name, in whatever casing it was
   * sent; `undefined` when it was not sent as a number. A double keeps about 17 significant digits:
   * an exact amount is only in the text.
   */
  numberText(name: string): string | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A property's dotted name from a validation error's instance path; `body` for the body itself. */
function propertyName(instancePath: string): string {
  return instancePath.slice(1).replaceAll('/', '.') || 'body';
}

/**
 * Binds a parsed JSON body onto its operation's schema and checks it: 400 800002 when the schema
 * makes it an object and it is not one; 400 3000 naming each property given twice in different
 * casings, or breaking the schema.
 */
export function checkBody(rule: BodyRule, read: { readonly text: string; readonly value: unknown }): CheckedBody {
  const { text, value } = read;
  if (rule.objectName !== undefined && !isObject(value)) {
    const named = rule.objectName ? ` (a ${rule.objectName})` : '';
    throw faults.invalidInput(`The request body must be a JSON object${named}.`);
  }
  const bound = bind(value, rule.shape);
  if (bound.conflicts.length > 0) {
    throw faults.invalidProperties(
      bound.conflicts.map((name) => ({ name, message: 'is given more than once, in different casings' })),
    );
  }
  const result = rule.check(bound.value);
  if (!result.valid) {
    throw faults.invalidProperties(
      result.details.map((detail) => ({
        name: propertyName(detail.instancePath),
        message: detail.message ?? 'is invalid',
      })),
    );
  }
  return {
    value: bound.value,
    numberText: (name) => {
      if (!isObject(value)) return undefined;
      const sentAs = Object.keys(value).find((key) => key.toLowerCase() === name.toLowerCase());
      return sentAs === undefined ? undefined : topLevelNumberTexts(text).get(sentAs);
    },
  };
}
