import { JSON_NUMBER_PATTERN, numberTextParser, topLevelNumberTexts } from '@usagebudget/openapi/json-numbers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('JSON_NUMBER_PATTERN', () => {
  it('is what JSON.parse reads as a number', () => {
    for (const text of ['0', '-0', '1.5', '120', '1e+21', '-1.5E-3', '28.82860766744404945074']) {
      expect(JSON_NUMBER_PATTERN.test(text), text).toBe(true);
      expect(typeof JSON.parse(text)).toBe('number');
    }
    for (const text of ['1.', '.5', '01', 'NaN', '1,5', '', '+1', '1e']) {
      expect(JSON_NUMBER_PATTERN.test(text), text).toBe(false);
      expect(() => JSON.parse(text), text).toThrow();
    }
    expect(JSON_NUMBER_PATTERN.test('"1"')).toBe(false);
  });
});

describe('topLevelNumberTexts', () => {
  it('returns the source text of top-level numbers only', () => {
    const json = '{ "amount" : 123.450 , "nested": {"amount": 7}, "list": [1, 2], "text": "3", "e": -1.5E+3 }';
    expect(Object.fromEntries(topLevelNumberTexts(json))).toEqual({ amount: '123.450', e: '-1.5E+3' });
  });

  it('reads keys with escapes, and ignores braces and colons inside strings', () => {
    const json = '{"a\\"}:{":"x:{1}","Am\\u006fUNT":0.10,"b":[{"c":2}],"d":3}';
    expect(Object.fromEntries(topLevelNumberTexts(json))).toEqual({ AmoUNT: '0.10', d: '3' });
  });

  it('keeps the last of duplicate keys, as JSON.parse does', () => {
    expect(topLevelNumberTexts('{"amount":1,"amount":2.50}').get('amount')).toBe('2.50');
  });

  it('agrees with JSON.parse on any object, however it is spaced', () => {
    const spacing = fc.constantFrom(0, 1, 2, '\t', ' \n ');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), spacing, (object, space) => {
        const json = JSON.stringify(object, null, space as string | number);
        const parsed = JSON.parse(json) as Record<string, unknown>;
        const texts = topLevelNumberTexts(json);
        const numberKeys = Object.keys(parsed).filter((key) => typeof parsed[key] === 'number');
        expect([...texts.keys()].sort()).toEqual(numberKeys.sort());
        for (const key of numberKeys) expect(Number(texts.get(key))).toBe(parsed[key]);
      }),
    );
  });
});

describe('numberTextParser', () => {
  const parse = numberTextParser(['totalCost', 'usdTotalCost']);

  it('gives the named members their number text, at any depth, and leaves the rest as JSON.parse reads it', () => {
    const text = `{"items":[{"totalCost" :\n 28.82860766744404945074,"percentUsed":602.84,"nested":{"usdTotalCost":-1E+2}}],
      "name":"totalCost","quoted":"x,\\"totalCost\\": 1.5","totalCost":"7.10"}`;
    expect(parse(text)).toEqual({
      items: [{ totalCost: '28.82860766744404945074', percentUsed: 602.84, nested: { usdTotalCost: '-1E+2' } }],
      name: 'totalCost',
      quoted: 'x,"totalCost": 1.5',
      totalCost: '7.10',
    });
  });

  it('answers undefined for text that is not JSON, a named member with a malformed number included', () => {
    for (const bad of ['01', '1.', '.5', '1e', '--1', '1.5.5'])
      expect(parse(`{"totalCost": ${bad}}`), bad).toBeUndefined();
    expect(parse('<html>')).toBeUndefined();
    expect(parse('')).toBeUndefined();
  });

  it('changes nothing of a body without the named members (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        fc.pre(!text.includes('Cost"'));
        expect(parse(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('refuses a member name it could not match safely', () => {
    expect(() => numberTextParser(['a"b'])).toThrow(RangeError);
    expect(() => numberTextParser(['a\\u0062'])).toThrow(RangeError);
    expect(() => numberTextParser([''])).toThrow(RangeError);
  });
});
