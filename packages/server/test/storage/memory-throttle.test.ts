import { describe, expect, it } from 'vitest';
import { createThrottle } from '../../src/storage/memory-throttle.js';

describe('createThrottle', () => {
  it('lets a burst through, then asks each partner to wait until a token is back', () => {
    let now = 0;
    const throttle = createThrottle({ requestsPerSecond: 0.5, burst: 2 }, () => now);
    expect([throttle('a'), throttle('a')]).toEqual([0, 0]);
    expect(throttle('a')).toBe(2);
    expect(throttle('b')).toBe(0);
    now = 1_000;
    expect(throttle('a')).toBe(1);
    now = 2_000;
    expect(throttle('a')).toBe(0);
    expect(throttle('a')).toBe(2);
  });

  it('never holds more than the burst however long a partner is idle', () => {
    let now = 0;
    const throttle = createThrottle({ requestsPerSecond: 10, burst: 3 }, () => now);
    now = 3_600_000;
    const answers = Array.from({ length: 4 }, () => throttle('a'));
    expect(answers).toEqual([0, 0, 0, 1]);
  });
});
