import { ValidationError } from '@usagebudget/client';
import { resolvePointer } from '@usagebudget/openapi/operations';
import type { OpenAPIV3 } from 'openapi-types';
import { expect } from 'vitest';
import { expectSuccess } from './outcomes.js';
import type { Strategy } from './scenario-context.js';

/**
 * A language tag of exactly `length` characters (at least 2) within the spec's X-Locale pattern:
 * subtags of at most 8, none left with a lone character.
 */
function languageTag(length: number): string {
  let first = Math.min(8, length);
  if (length - first === 1) first -= 1;
  let tag = 'a'.repeat(first);
  while (tag.length < length) {
    let segment = Math.min(9, length - tag.length);
    if (length - tag.length - segment === 1) segment -= 1;
    tag += `-${'b'.repeat(segment - 1)}`;
  }
  return tag;
}

/** Client options the client sends as headers, the spec parameter each is, and a value of a given length. */
const headerOptions = [
  { option: 'locale', parameter: 'Locale', ofLength: languageTag },
  { option: 'application', parameter: 'PartnerCenterApplication', ofLength: (length: number) => 'a'.repeat(length) },
] as const;

/**
 * The longest option values the spec's header parameters allow go through (Prism checks them);
 * one character more is refused by the client before anything is sent, never left to the service.
 */
export function headerLimitsStrategy(operationId: string): Strategy {
  return {
    status: 200,
    operationId,
    title: 'with the longest X-Locale and MS-PartnerCenter-Application the spec allows; one more is refused',
    needs: [],
    run: async (context, documented) => {
      const limits = headerOptions.map(({ option, parameter, ofLength }) => {
        const pointer = `#/components/parameters/${parameter}/schema`;
        const { maxLength } = resolvePointer<OpenAPIV3.SchemaObject>(context.document, pointer).value;
        if (maxLength === undefined) throw new Error(`${pointer} has no maxLength`);
        const [longest, tooLong] = [ofLength(maxLength), ofLength(maxLength + 1)];
        // The values must break nothing in the spec but its length limit.
        const check = context.validator.compile(pointer);
        expect(check(longest).errors, `${parameter} of ${maxLength}`).toEqual([]);
        expect(check(tooLong).details.map((detail) => detail.keyword)).toEqual(['maxLength']);
        return { option, longest, tooLong };
      });
      const longest = context.client({
        options: Object.fromEntries(limits.map((limit) => [limit.option, limit.longest])),
      });
      await expectSuccess(context, longest, longest.client.getBudget(context.target.customerId()), documented);
      const accepted = limits.filter(({ option, tooLong }) => {
        try {
          context.client({ options: { [option]: tooLong } });
          return true;
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          return false;
        }
      });
      expect(
        accepted.map(({ option, tooLong }) => `${option} of ${tooLong.length} characters`),
        'options the client accepts although the spec forbids them',
      ).toEqual([]);
    },
  };
}
