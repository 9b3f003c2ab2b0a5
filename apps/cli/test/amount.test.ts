import { describe, expect, it } from 'vitest';
import { formatAmount, parseAmount } from '../src/amount.js';

describe('parseAmount', () => {
  it.each([
    ['250.50', 250.5],
    ['0', 0],
    ['000.10', 0.1],
    ['.5', 0.5],
    ['1234567.89', 1234567.89],
    [' 42 ', 42],
    ['999999999999999', 999999999999999],
    ['0.000001', 0.000001],
  ])('reads %j as %d', (text, value) => {
    expect(parseAmount(text)).toBe(value);
  });

  it.each([
    ['', /it is empty/],
    ['   ', /it is empty/],
    ['-1', /cannot be negative.*usagebudget clear/],
    ['-0.5', /cannot be negative/],
    ['abc', /not a decimal number/],
    ['Infinity', /not a decimal number/],
    ['NaN', /not a decimal number/],
    ['0x10', /not a decimal number/],
    ['+5', /not a decimal number/],
    ['250.', /not a decimal number/],
    ['1.2.3', /not a decimal number/],
    ['1e3', /without an exponent/],
    ['2.5E-2', /without an exponent/],
    ['250,50', /dot as the decimal separator/],
    ['1,250.50', /dot as the decimal separator/],
    ['12345678901234567.5', /more significant digits/],
    ['9007199254740993', /more significant digits/],
    ['0.1000000000000000055511151231257827', /more significant digits/],
  ])('rejects %j', (text, reason) => {
    expect(() => parseAmount(text)).toThrow(reason);
  });
});

describe('formatAmount', () => {
  it.each([
    [250.5, '250.50'],
    [100, '100.00'],
    [0, '0.00'],
    [0.125, '0.125'],
    [1234567.89, '1234567.89'],
    // String() would switch to exponents here.
    [1e21, '1000000000000000000000.00'],
    [1.5e-7, '0.00000015'],
  ])('shows %d as %s', (value, text) => {
    expect(formatAmount(value)).toBe(text);
  });

  it('shows what parseAmount reads, digit for digit', () => {
    for (const text of ['250.50', '0.10', '98765.4321', '999999999999999.00']) {
      expect(formatAmount(parseAmount(text))).toBe(text);
    }
  });
});
