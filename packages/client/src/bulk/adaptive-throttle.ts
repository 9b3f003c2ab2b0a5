import type { Throttle } from '../core/call-types.js';
import { sleep } from '../internal/sleep.js';

/** Options of {@link AdaptiveThrottle}. */
export interface AdaptiveThrottleOptions {
  /**
   * Requests per second to pace at from the start, when the service's limit is known. By default
   * nothing is paced until the first `429`, which teaches the throttle the rate.
   */
  initialRate?: number;
  /** Called when a `429` pauses every call sharing the throttle, with the time sending resumes (`Date.now()` scale). */
  onPause?: (resumesAt: number) => void;
}

/** What an {@link AdaptiveThrottle} has learned so far. */
export interface ThrottleState {
  /** The pace in requests per second; `undefined` until the first `429` (or `initialRate`). */
  readonly rate: number | undefined;
  /** When sending resumes after a `429` (`Date.now()` scale); in the past when not paused. */
  readonly pausedUntil: number;
  /** How many `429`s the calls sharing the throttle got. */
  readonly throttled: number;
}

// After a 429 the pace drops to this share of what the service accepted in the last second (its
// limit, as far as it shows); a second without one raises it by INCREASE, and by PROBE once within
// NEAR of that limit, so the pace settles just under the limit and meets it again only now and then.
const DECREASE = 0.9;
const INCREASE = 1.02;
const PROBE = 1.005;
const NEAR = 0.97;
const WINDOW_MS = 1000;
// Sending may catch up on at most this much unused pace (after a pause, the service's bucket has
// refilled by as much): a timer firing late does not lower the rate, and a pause costs no throughput.
const CATCH_UP_MS = 1000;

/**
 * A throttle shared by many calls (pass it as `CallOptions.throttle`; the bulk operations make one
 * per run). One `429` pauses every call until its `Retry-After` has passed, so no request goes out
 * that the service would refuse; and it learns the service's rate: after a `429` it paces attempts
 * at 90 % of what the service accepted in the second before, then raises the pace by 2 % a second,
 * and by 0.5 % once near that rate, until the next `429` (increase, multiplicative decrease).
 */
export class AdaptiveThrottle implements Throttle {
  #rate: number | undefined;
  #nextAt = 0;
  #pausedUntil = 0;
  #throttled = 0;
  #raisedAt = 0;
  /** What the service accepted in the second before the last 429. */
  #limit: number | undefined;
  /** Times of the successful responses in the last second. */
  #accepted: number[] = [];
  readonly #onPause: ((resumesAt: number) => void) | undefined;

  constructor(options: AdaptiveThrottleOptions = {}) {
    const { initialRate } = options;
    if (initialRate !== undefined && !(initialRate > 0 && Number.isFinite(initialRate))) {
      throw new RangeError(`initialRate must be a positive number of requests per second (got ${initialRate})`);
    }
    this.#rate = initialRate;
    this.#onPause = options.onPause;
  }

  get state(): ThrottleState {
    return { rate: this.#rate, pausedUntil: this.#pausedUntil, throttled: this.#throttled };
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      const now = Date.now();
      const wait = Math.max(this.#pausedUntil, this.#nextAt) - now;
      if (wait <= 0) {
        if (this.#rate !== undefined) this.#nextAt = Math.max(this.#nextAt, now - CATCH_UP_MS) + 1000 / this.#rate;
        return;
      }
      await sleep(wait, signal);
    }
  }

  settle(status: number, retryAfterMs?: number): void {
    const now = Date.now();
    const accepted = this.#accepted;
    while (accepted.length > 0 && (accepted[0] as number) <= now - WINDOW_MS) accepted.shift();
    if (status >= 200 && status < 300) {
      accepted.push(now);
      if (this.#rate !== undefined && now - this.#raisedAt >= WINDOW_MS) {
        const near = this.#limit !== undefined && this.#rate >= this.#limit * NEAR;
        this.#rate *= near ? PROBE : INCREASE;
        this.#raisedAt = now;
      }
      return;
    }
    if (status !== 429) return;
    this.#throttled++;
    // A 429 to a request sent before the pause began teaches nothing new.
    if (now < this.#pausedUntil) return;
    const seen = Math.max(1, accepted.length);
    this.#limit = seen;
    this.#rate = Math.max(1, Math.min(this.#rate ?? seen, seen) * DECREASE);
    this.#raisedAt = now;
    this.#pausedUntil = now + (retryAfterMs ?? WINDOW_MS);
    // Pacing restarts from the end of the pause, with the pause's worth of catch-up (see CATCH_UP_MS).
    this.#nextAt = this.#pausedUntil - CATCH_UP_MS;
    this.#onPause?.(this.#pausedUntil);
  }
}
