import { spec } from '@usagebudget/openapi';
import {
  AMOUNT_SPELLING,
  budgetStanding,
  compareDecimals,
  DECIMAL_PATTERN,
  exactDecimal,
  isGuid,
  multiplyDecimals,
  percentUsed,
  plainDecimal,
  repeatedJsonMembers,
  spelledAmount,
  sumDecimals,
} from '@usagebudget/openapi/rules';
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

describe('DECIMAL_PATTERN', () => {
  const validator = createSpecValidator(spec);
  it("is the rule of the spec's Decimal schema and its decimal format", () => {
    const samples = [
      '0',
      '-0',
      '12',
      '28.82860766744404945074',
      '0.0',
      '-1.5',
      '01',
      '1.',
      '.5',
      '1e5',
      '+1',
      ' 1',
      '',
      '1,5',
    ];
    for (const sample of samples) {
      expect(DECIMAL_PATTERN.test(sample), sample).toBe(
        validator.validate('#/components/schemas/Decimal', sample).valid,
      );
    }
  });
});

describe('exact decimal arithmetic', () => {
  const decimal = fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 22 }))
    .map(([units, scale]) => plainDecimal(`${units}e-${scale}`));

  it('writes any JSON number in plain notation, keeping every digit', () => {
    expect(plainDecimal('1e+21')).toBe('1000000000000000000000');
    expect(plainDecimal('1.5e-7')).toBe('0.00000015');
    expect(plainDecimal('0.50')).toBe('0.5');
    expect(plainDecimal('-0')).toBe('0');
    expect(plainDecimal('120.5682999999995904716')).toBe('120.5682999999995904716');
    expect(() => plainDecimal('ten')).toThrow(RangeError);
    fc.assert(
      fc.property(decimal, (text) => {
        expect(DECIMAL_PATTERN.test(text)).toBe(true);
      }),
    );
  });

  it('compares past the digits a double holds', () => {
    expect(compareDecimals('28.82860766744404945074', '28.82860766744404945075')).toBeLessThan(0);
    expect(compareDecimals('97', '97.000')).toBe(0);
    expect(compareDecimals('1e2', '99.99999999999999999999')).toBeGreaterThan(0);
  });

  it('adds and multiplies exactly', () => {
    expect(sumDecimals([])).toBe('0');
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(['120.5682999999995904716', '27.23292827625710931604'])).toBe('147.80122827625669978764');
    expect(multiplyDecimals('28.82860766744404945074', '1.25')).toBe('36.035759584305061813425');
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const sum = sumDecimals([a, b]);
        expect(compareDecimals(sum, a)).toBeGreaterThanOrEqual(0);
        expect(sumDecimals([sum, `-${b}`])).toBe(plainDecimal(a));
        expect(compareDecimals(multiplyDecimals(a, '10'), `${a}e1`)).toBe(0);
      }),
    );
  });

  it("computes the spec's percentUsed: the documented records, rounding half away from zero, 0 without a budget", () => {
    expect(percentUsed('120.5682999999995904716', '20')).toBe('602.84');
    expect(percentUsed('27.23292827625710931604', '97')).toBe('28.08');
    expect(percentUsed('0', '20')).toBe('0');
    expect(percentUsed('1', '8')).toBe('12.5');
    expect(percentUsed('0.00125', '1')).toBe('0.13');
    expect(percentUsed('0.00124999999999999999', '1')).toBe('0.12');
    expect(percentUsed('50', null)).toBe('0');
    expect(percentUsed('50', '0')).toBe('0');
    expect(percentUsed('250.5', '2.505e2')).toBe('100');
  });

  it('agrees with floating point wherever a double is precise enough', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 10_000_000 }), (cents, budget) => {
        const exact = Number(percentUsed(String(cents / 100), String(budget)));
        expect(Math.abs(exact - (100 * cents) / 100 / budget)).toBeLessThanOrEqual(0.005 + 1e-9);
      }),
    );
  });
});

describe('budgetStanding', () => {
  it.each([
    ['10', null, 'noBudget'],
    ['120.5682999999995904716', '20', 'overBudget'],
    ['20.00000000000000000001', '20', 'overBudget'],
    ['20', '20', 'trendingOver'],
    ['16', '20', 'trendingOver'],
    ['15.999', '20', 'trendingOver'],
    ['15.998', '20', 'withinBudget'],
    ['27.23292827625710931604', '97', 'withinBudget'],
    ['0.01', '0', 'overBudget'],
    ['0', '0', 'withinBudget'],
  ] as const)('puts a cost of %s against a budget of %s: %s', (cost, budget, standing) => {
    expect(budgetStanding(cost, budget)).toBe(standing);
  });
});

describe('repeatedJsonMembers', () => {
  it.each([
    ['{"a":1,"b":2}', []],
    ['{"a":1,"a":2}', ['a']],
    [' { "a" : 1 , "b" : { "a" : 2 } , "c" : [ { "a" : 3 } ] } ', []],
    ['{"a":"a:","b":"\\"a\\":","a":3,"b":4,"a":5}', ['a', 'b']],
    ['{"F\\u0069eld":1,"Field":2}', ['Field']],
    ['{"a\\\\":1,"a\\\\":2}', ['a\\']],
    ['{}', []],
  ])('finds in %s the members given more than once: %j', (text, repeated) => {
    expect(repeatedJsonMembers(text)).toEqual(repeated);
  });

  it('agrees with JSON.parse on every object it is given: a name it reports twice, the parse keeps once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c\\"', 'd:'), fc.jsonValue()), { maxLength: 6 }),
        (members) => {
          const text = `{${members.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`).join(',')}}`;
          const names = members.map(([name]) => name);
          const expected = [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
          expect(repeatedJsonMembers(text)).toEqual(expected);
          expect(Object.keys(JSON.parse(text))).toEqual([...new Set(names)]);
        },
      ),
    );
  });
});

describe('AMOUNT_SPELLING and spelledAmount', () => {
  it('take digits, optionally a "." and decimals, and nothing else', () => {
    for (const text of ['0', '250', '250.50', '0.5', '007.10', '12345678901234.5']) {
      expect(AMOUNT_SPELLING.test(text), text).toBe(true);
    }
    for (const text of ['.5', '5.', '-1', '+1', '1e3', '1,5', '1 000', ' 1', '', '1.2.3', '0x10', 'Infinity']) {
      expect(AMOUNT_SPELLING.test(text), text).toBe(false);
      expect(spelledAmount(text), text).toBeUndefined();
    }
  });

  it('give the canonical decimal, and nothing for an amount a JSON number would round', () => {
    expect(spelledAmount('250.50')).toBe('250.5');
    expect(spelledAmount('007.10')).toBe('7.1');
    expect(spelledAmount('0.000')).toBe('0');
    expect(spelledAmount('12345678901234567.5')).toBeUndefined();
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,15}(\.\d{1,3})?$/), (text) => {
        expect(spelledAmount(text)).toBe(exactDecimal(text));
      }),
    );
  });
});
