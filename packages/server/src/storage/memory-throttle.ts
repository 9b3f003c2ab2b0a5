import type { ThrottleConfig } from '../partners/config-format.js';
import type { ThrottleStore } from './throttle-store.js';

/**
 * A token bucket per partner. Returns 0 when the request may go on, else the whole seconds
 * (at least 1) until a token is back, for `Retry-After`.
 */
export function createThrottle(config: ThrottleConfig, now: () => number = performance.now.bind(performance)) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (partnerId: string): number => {
    const time = now();
    const bucket = buckets.get(partnerId) ?? { tokens: config.burst, at: time };
    bucket.tokens = Math.min(config.burst, bucket.tokens + ((time - bucket.at) / 1000) * config.requestsPerSecond);
    bucket.at = time;
    buckets.set(partnerId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / config.requestsPerSecond));
  };
}

/**
 * The buckets in this process: SQLite's throttle store. Limits changed (an extension's new
 * config) start with full buckets, as a new throttle did before the throttle was a store's.
 */
export function memoryThrottle(): ThrottleStore {
  const throttles = new WeakMap<ThrottleConfig, (partnerId: string) => number>();
  return {
    takeToken: (partnerId, limits) => {
      let throttle = throttles.get(limits);
      if (!throttle) {
        throttle = createThrottle(limits);
        throttles.set(limits, throttle);
      }
      return Promise.resolve(throttle(partnerId));
    },
  };
}
