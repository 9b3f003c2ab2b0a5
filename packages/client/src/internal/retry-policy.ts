import { ConnectionError, RateLimitError, ServerError, TimeoutError } from '../core/errors.js';
import type { Call } from './pipeline/pipeline.js';
import { type BackoffSettings, backoffMs } from './retry-strategies/exponential-backoff.js';
import { parseRetryAfter } from './retry-strategies/retry-after.js';
import { sleep } from './sleep.js';

// Loaded by the retry step with a call's first failure: a call that succeeds never needs it.

export { parseRetryAfter };

/** The retry policy of a client. */
export interface RetrySettings extends BackoffSettings {
  /** Retries after the first attempt; 0 disables retries. */
  maxRetries: number;
}

// The transient statuses among ServerError (5xx) and RateLimitError (429). A 408 is not here: it
// becomes a TimeoutError, which is retried like any timeout (retry-policy.test.ts lists them all).
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * Whether a failure is transient: no connection, no response in time (or a 408), a 429, or a 500,
 * 502, 503 or 504. Anything else (another status, an abort, a token that could not be had) is final.
 */
export function isRetryable(failure: unknown): boolean {
  if (failure instanceof ConnectionError || failure instanceof TimeoutError) return true;
  return (
    (failure instanceof ServerError || failure instanceof RateLimitError) && RETRYABLE_STATUSES.has(failure.status ?? 0)
  );
}

/**
 * How long to wait before retrying `failure`, the `retries`-th retry so far; `undefined` when the
 * call ends with it: a final failure, no retry left, or a `Retry-After` longer than the backoff's
 * cap (waiting that long would hold the caller hostage: the 429 is the answer then).
 */
export function retryDelayMs(
  failure: unknown,
  retries: number,
  retryAfterMs: number | undefined,
  settings: RetrySettings,
): number | undefined {
  if (!isRetryable(failure) || retries >= settings.maxRetries) return undefined;
  if (retryAfterMs !== undefined && retryAfterMs > settings.maxDelayMs) return undefined;
  return retryAfterMs ?? backoffMs(retries, settings);
}

/**
 * Waits before the retry of `failure`, the `retries`-th retry of `call` so far, and answers true;
 * answers false at once when the call ends with it: when the policy says so, or when the wait
 * would end past the call's deadline (the failure is the answer then, not a timeout). The wait is
 * the `Retry-After` of the failed attempt's response, or the backoff; it is announced (a `retry`
 * event) before it starts, and ends early when the call is stopped.
 */
export async function waitToRetry(
  failure: unknown,
  retries: number,
  call: Call,
  settings: RetrySettings,
): Promise<boolean> {
  const delayMs = retryDelayMs(failure, retries, parseRetryAfter(call.response?.headers['retry-after']), settings);
  const leftMs = (call.deadline?.endsAt ?? Number.POSITIVE_INFINITY) - performance.now();
  if (delayMs === undefined || delayMs >= leftMs) return false;
  call.emit({ kind: 'retry', failure, retry: retries + 1, delayMs });
  await sleep(delayMs, call.signal);
  call.signal?.throwIfAborted();
  return true;
}
