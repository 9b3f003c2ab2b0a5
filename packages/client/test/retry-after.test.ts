import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/internal/retry-strategies/retry-after.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 7 ', NOW)).toBe(7_000);
  });

  it.each([
    ['IMF-fixdate', 'Thu, 15 Jan 2026 12:00:30 GMT'],
    ['RFC 850', 'Thursday, 15-Jan-26 12:00:30 GMT'],
    // asctime has no zone: it is GMT, whatever the machine's time zone.
    ['asctime', 'Thu Jan 15 12:00:30 2026'],
  ])('reads an HTTP-date in the %s form, 30 s ahead', (_, date) => {
    expect(parseRetryAfter(date, NOW)).toBe(30_000);
  });

  it('reads a date in the past as no wait', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', NOW)).toBe(0);
    // RFC 850's two-digit year: 94 is 1994, not 2094.
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(0);
  });

  it.each([
    '-1',
    '2.5',
    '1e3',
    '0x10',
    '',
    'soon',
    '2026-01-15T12:00:30Z',
    'Thu, 15 Jan 2026 12:00:30 +0000',
    'Thu, 31 Feb 2026 12:00:30 GMT',
    'Thu, 15 Jan 2026 24:00:30 GMT',
    'Thu, 15 Foo 2026 12:00:30 GMT',
    'Fri, 15 Jan 2026 12:00:30 GMT',
    'Thu,  15 Jan 2026 12:00:30 GMT',
  ])('ignores %j, which RFC 9110 does not allow', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('has no header, no wait', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});
