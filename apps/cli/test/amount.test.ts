import { describe, expect, it } from 'vitest';
import { formatAmount, parseAmount } from '../src/amount.js';

describe('parseAmount', () => {
  it.each([
    ['250.50', 250.5],
    ['0', 0],
    ['000.10', 0.1],
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
    ['abc', /^invalid amount "abc": expected digits, optionally a "\." and decimals, such as 1250\.50$/],
    ['Infinity', /expected digits/],
    ['NaN', /expected digits/],
    ['0x10', /expected digits/],
    ['+5', /expected digits, optionally a "\." and decimals, such as 1250\.50, without a sign/],
    ['.5', /expected digits.* \(0\.5, not \.5\)/],
    ['250.', /expected digits.* \(250, not 250\.\)/],
    ['1.2.3', /expected digits/],
    ['1 250.50', /expected digits/],
    ['\u0663', /expected digits/],
    ['1e3', /expected digits.*without an exponent/],
    ['2.5E-2', /without an exponent/],
    ['250,50', /expected digits.*a comma is a decimal separator in some locales and a thousands separator in others/],
    ['1,250.50', /a comma is a decimal separator/],
    ['12345678901234567.5', /more significant digits/],
    ['9007199254740993', /more significant digits/],
    ['0.1000000000000000055511151231257827', /more significant digits/],
  ])('rejects %j', (text, reason) => {
    expect(() => parseAmount(text)).toThrow(reason);
  });

  it('repeats what it read, escaped and cut to a prefix with its length', () => {
    expect(() => parseAmount('\u001b[31m1')).toThrow(/^invalid amount "\\u001b\[31m1"/);
    expect(() => parseAmount('\u202e05')).toThrow(/^invalid amount "\\u202e05"/);
    expect(() => parseAmount(`1${'0'.repeat(5000)}x`)).toThrow(/^invalid amount "10{39}…" \(5002 characters\): /);
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
