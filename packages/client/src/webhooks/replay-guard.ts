/** Remembers verified deliveries, so that one seen again within the window is refused as a replay. */
export interface ReplayGuard {
  /** `false` when `key` was seen within the window (a replay); otherwise records it and answers `true`. */
  check(key: string, now: number): boolean;
  /** Forgets `key`: its next delivery is not a replay (for a delivery its receiver failed to process). */
  forget(key: string): void;
}

/**
 * A verified delivery's identity: its signature (an event has no ID, timestamp or nonce). A
 * signature that verified over a body with a trusted key stands for that body and signature both:
 * RSASSA-PKCS1-v1_5 is deterministic, and another body cannot have it. No hash to compute.
 */
export function deliveryKey(signatureBase64: string): string {
  return signatureBase64;
}

/**
 * The default guard: in memory, for one process, each delivery kept `windowMs`, at most
 * `maxEntries` (the oldest dropped first). Receivers on several processes share one of their own
 * (a store with a time to live) through the `replayGuard` option.
 */
export function memoryReplayGuard(windowMs = 600_000, maxEntries = 50_000): ReplayGuard {
  // Insertion order is expiry order: every entry lives `windowMs`.
  const seen = new Map<string, number>();
  let nextSweep = 0;
  /** Drops the expired entries (at most once a second: a look-up checks its own entry's expiry) and the oldest past the bound. */
  const sweep = (now: number) => {
    if (now < nextSweep && seen.size < maxEntries) return;
    nextSweep = now + 1000;
    for (const [oldest, expires] of seen) {
      if (expires > now && seen.size < maxEntries) break;
      seen.delete(oldest);
    }
  };
  return {
    check(key, now) {
      const expires = seen.get(key);
      if (expires !== undefined && expires > now) return false;
      seen.delete(key);
      // Room for the new key, made before it is added.
      sweep(now);
      seen.set(key, now + windowMs);
      return true;
    },
    forget(key) {
      seen.delete(key);
    },
  };
}
