import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdaptiveThrottle } from '../src/bulk.js';

// The clock is vitest's: what is checked is the order of events, not how long anything takes.
beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Acquires a slot and records the (fake) time it was granted. */
function acquireAt(throttle: AdaptiveThrottle, granted: number[]) {
  return throttle.acquire().then(() => granted.push(Date.now()));
}

describe('AdaptiveThrottle', () => {
  it('lets everything through until the first 429, then holds every caller until Retry-After has passed', async () => {
    const pauses: number[] = [];
    const throttle = new AdaptiveThrottle({ onPause: (resumesAt) => pauses.push(resumesAt) });
    const granted: number[] = [];
    for (let i = 0; i < 5; i++) await acquireAt(throttle, granted);
    for (let i = 0; i < 5; i++) throttle.settle(200);
    expect(granted).toEqual(Array(5).fill(1_000_000));
    throttle.settle(429, 2000);
    expect(pauses).toEqual([1_002_000]);
    // A 429 to a request sent before the pause teaches nothing more and does not move it.
    throttle.settle(429, 5000);
    expect(pauses).toEqual([1_002_000]);
    expect(throttle.state).toMatchObject({ throttled: 2, pausedUntil: 1_002_000, rate: 4.5 });

    const waiting = [acquireAt(throttle, granted), acquireAt(throttle, granted), acquireAt(throttle, granted)];
    await vi.advanceTimersByTimeAsync(1999);
    expect(granted).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(waiting);
    // Resumed at the end of the pause, with up to a second of the learned pace in hand.
    expect(granted.slice(5)).toEqual([1_002_000, 1_002_000, 1_002_000]);
  });

  it('paces at the learned rate, and raises it by 2 % a second while the service accepts', async () => {
    const throttle = new AdaptiveThrottle({ initialRate: 10 });
    const granted: number[] = [];
    // A second's catch-up is in hand from the start (ten requests and the one due now), then one
    // every 100 ms, whoever asks.
    const all = Array.from({ length: 15 }, () => acquireAt(throttle, granted));
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(all);
    const start = 1_000_000;
    expect(granted).toEqual([...Array(11).fill(start), start + 100, start + 200, start + 300, start + 400]);

    throttle.settle(200);
    expect(throttle.state.rate).toBeCloseTo(10.2, 5);
    throttle.settle(200);
    expect(throttle.state.rate).toBeCloseTo(10.2, 5); // at most one raise a second
    await vi.advanceTimersByTimeAsync(1000);
    throttle.settle(200);
    expect(throttle.state.rate).toBeCloseTo(10.404, 5);
  });

  it('refuses a rate that is not a positive number', () => {
    expect(() => new AdaptiveThrottle({ initialRate: 0 })).toThrow(RangeError);
    expect(() => new AdaptiveThrottle({ initialRate: Number.NaN })).toThrow(RangeError);
  });
});
