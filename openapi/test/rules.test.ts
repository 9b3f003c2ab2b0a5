import { spec } from '@usagebudget/openapi';
import { DECIMAL_PATTERN, exactDecimal, isGuid } from '@usagebudget/openapi/rules';
import { createSpecValidator } from '@usagebudget/openapi/validator';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';

describe('isGuid', () => {
  const validator = createSpecValidator(spec);
  const samples = [
    '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
    '0C39D6D5-C70D-4C55-BC02-F620844F3FD1',
    'urn:uuid:0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
    '{0c39d6d5-c70d-4c55-bc02-f620844f3fd1}',
    '0c39d6d5c70d4c55bc02f620844f3fd1',
    '0c39d6d5-c70d-4c55-bc02-f620844f3fd',
    ' 0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
    'client-locataire-ID',
    '',
  ];

  it("is the rule of the id headers' pattern and of format uuid in the spec", () => {
    for (const sample of samples) {
      for (const pointer of [
        '#/components/parameters/RequestId/schema',
        '#/components/parameters/CorrelationId/schema',
        '#/components/parameters/CustomerTenantId/schema',
      ]) {
        expect(isGuid(sample), `${pointer} ${sample}`).toBe(validator.validate(pointer, sample).valid);
      }
    }
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 1, {}, ['0c39d6d5-c70d-4c55-bc02-f620844f3fd1']]) {
      expect(isGuid(value)).toBe(false);
    }
  });
});

describe('DECIMAL_PATTERN', () => {
  const samples = [
    '28.82860766744404945074',
    '0',
    '0.0',
    '-1.5',
    '120',
    '',
    '1e3',
    '01.5',
    '.5',
    '5.',
    '+1',
    '1,5',
    ' 1',
  ];

  it('is the rule of the Decimal schema, its pattern and its format alike, and Ajv knows the format', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      // The format alone, without the schema's pattern: the validator must know `decimal` itself.
      const formatOnly = structuredClone(spec);
      const decimal = formatOnly.components?.schemas?.Decimal as { pattern?: string };
      delete decimal.pattern;
      const byFormat = createSpecValidator(formatOnly);
      const bySchema = createSpecValidator(spec);
      for (const sample of samples) {
        const expected = DECIMAL_PATTERN.test(sample);
        expect(bySchema.validate('#/components/schemas/Decimal', sample).valid, sample).toBe(expected);
        expect(byFormat.validate('#/components/schemas/Decimal', sample).valid, sample).toBe(expected);
      }
      const specPattern = (spec.components?.schemas?.Decimal as { pattern?: string } | undefined)?.pattern;
      expect(DECIMAL_PATTERN.source).toBe(specPattern?.replaceAll('[0-9]', '\\d'));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('exactDecimal', () => {
  it.each([
    ['123.45', '123.45'],
    ['123.450', '123.45'],
    ['0', '0'],
    ['-0', '0'],
    ['0.0', '0'],
    ['100', '100'],
    ['1e2', '100'],
    ['1.5E-7', '1.5e-7'],
    ['1e21', '1e+21'],
    ['0.1', '0.1'],
    ['999999999999999', '999999999999999'],
    ['0.30000000000000004', '0.30000000000000004'],
    ['-12.5', '-12.5'],
  ])('keeps %s as %s', (text, canonical) => {
    expect(exactDecimal(text)).toBe(canonical);
  });

  it.each([
    ['0.1000000000000000055511151231257827', 'more digits than a double holds'],
    ['9007199254740993', 'an integer past 2^53'],
    ['1e400', 'overflows to Infinity'],
    ['1e-400', 'underflows to 0'],
    ['123456789012345678901234567890', 'thirty significant digits'],
  ])('rejects %s (%s)', (text) => {
    expect(exactDecimal(text)).toBeUndefined();
  });

  it('accepts every decimal of at most 15 significant digits, with its value unchanged', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 999_999_999_999_999n }),
        fc.integer({ min: -20, max: 20 }),
        (digits, scale) => {
          const text = `${digits}e${scale}`;
          const canonical = exactDecimal(text);
          expect(canonical).toBeDefined();
          expect(Number(canonical)).toBe(Number(text));
        },
      ),
    );
  });

  it('gives back the text JSON writers produce for any finite double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const written = JSON.stringify(value);
        expect(exactDecimal(written)).toBe(Object.is(value, -0) ? '0' : written);
      }),
    );
  });
});
