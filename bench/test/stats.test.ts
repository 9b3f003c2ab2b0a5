import { describe, expect, it } from 'vitest';
import { check, median, pairedRatio, percentile } from '../src/stats.js';

describe('median', () => {
  it('takes the middle of an odd count and the mean of the middle two of an even one, unsorted input', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses no values rather than inventing a figure', () => {
    expect(() => median([])).toThrow(/no values/);
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });
});

describe('pairedRatio', () => {
  it('is the median of the per-round ratios, not the ratio of the medians', () => {
    // Round 2 ran on a busy machine, both figures dropped; in round 3 only the server's did.
    const server = [600, 150, 330];
    const bare = [1200, 300, 1000];
    expect(pairedRatio(server, bare)).toBe(0.5);
    expect(median(server) / median(bare)).toBe(0.33);
  });

  it('refuses rounds that do not pair up', () => {
    expect(() => pairedRatio([1, 2], [1])).toThrow(/2 and 1 rounds/);
  });
});

describe('check', () => {
  it('meets a floor at or above it and a ceiling at or below it', () => {
    expect(check('floor', 0.5, 'x', 'at least', 0.5).met).toBe(true);
    expect(check('floor', 0.49, 'x', 'at least', 0.5).met).toBe(false);
    expect(check('ceiling', 50, 'ms', 'at most', 50).met).toBe(true);
    expect(check('ceiling', 50.1, 'ms', 'at most', 50).met).toBe(false);
  });
});
