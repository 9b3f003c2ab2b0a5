import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../src/core/errors.js';
import { errorFromResponse } from '../src/internal/failure-reading.js';
import { isRetryable, retryDelayMs } from '../src/internal/retry-policy.js';

const settings = { maxRetries: 3, initialDelayMs: 100, maxDelayMs: 1_000 };

describe('the retry policy', () => {
  it('retries exactly 408, 429, 500, 502, 503 and 504 of all the statuses a response can have', () => {
    const retried: number[] = [];
    for (let status = 100; status < 600; status++) {
      if (isRetryable(errorFromResponse(status, '', {}))) retried.push(status);
    }
    expect(retried).toEqual([408, 429, 500, 502, 503, 504]);
  });

  it('retries a 408 as the TimeoutError it becomes, which is why 408 is no retryable status of its own', () => {
    const error = errorFromResponse(408, '', {});
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isRetryable(new TimeoutError('no response within 5 ms'))).toBe(true);
  });

  it('waits what Retry-After asks, or backs off, and ends the call past the retries or the cap', () => {
    const busy = errorFromResponse(503, '', {});
    expect(retryDelayMs(busy, 0, 700, settings)).toBe(700);
    const backoff = retryDelayMs(busy, 2, undefined, settings) as number;
    expect(backoff).toBeGreaterThanOrEqual(200);
    expect(backoff).toBeLessThanOrEqual(400);
    expect(retryDelayMs(busy, 3, undefined, settings)).toBeUndefined();
    expect(retryDelayMs(busy, 0, 1_001, settings)).toBeUndefined();
    expect(retryDelayMs(errorFromResponse(404, '', {}), 0, undefined, settings)).toBeUndefined();
  });
});
