import { createHash } from 'node:crypto';

/** Remembers verified deliveries, so that one seen again within the window is refused as a replay. */
export interface ReplayGuard {
  /** `false` when `key` was seen within the window (a replay); otherwise records it and answers `true`. */
  check(key: string, now: number): boolean;
  /** Forgets `key`: its next delivery is not a replay (for a delivery its receiver failed to process). */
  forget(key: string): void;
}

/** A delivery's identity: its body and signature (an event has no ID, timestamp or nonce). */
export function deliveryKey(body: Uint8Array, signature: Uint8Array): string {
  return createHash('sha256').update(body).update('\0').update(signature).digest('base64');
}

/**
 * The default guard: in memory, for one process, each delivery kept `windowMs`, at most
 * `maxEntries` (the oldest dropped first). Receivers on several processes share one of their own
 * (a store with a time to live) through the `replayGuard` option.
 */
export function memoryReplayGuard(windowMs = 600_000, maxEntries = 100_000): ReplayGuard {
  // Insertion order is expiry order: every entry lives `windowMs`.
  const seen = new Map<string, number>();
  return {
    check(key, now) {
      for (const [oldest, expires] of seen) {
        if (expires > now && seen.size < maxEntries) break;
        seen.delete(oldest);
      }
      const expires = seen.get(key);
      if (expires !== undefined && expires > now) return false;
      seen.delete(key);
      seen.set(key, now + windowMs);
      return true;
    },
    forget(key) {
      seen.delete(key);
    },
  };
}
