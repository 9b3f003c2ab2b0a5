// Partner Center's one documented webhook limit: 2 test events a minute per partner. A sliding
// window of 60 seconds over the test events sent (a refused request is not one).

const WINDOW_MS = 60_000;
const PER_WINDOW = 2;

export interface TestEventThrottle {
  /** Seconds until the partner may send a test event (at least 1), or 0 when it may now. */
  wait(partnerId: string): number;
  /** Counts a test event sent now. */
  sent(partnerId: string): void;
  /** Forgets every partner's: a reset. */
  clear(): void;
}

export function createTestEventThrottle(now: () => number = Date.now): TestEventThrottle {
  const sentAt = new Map<string, number[]>();
  const recent = (partnerId: string) => {
    const cutoff = now() - WINDOW_MS;
    const kept = (sentAt.get(partnerId) ?? []).filter((time) => time > cutoff);
    sentAt.set(partnerId, kept);
    return kept;
  };
  return {
    wait(partnerId) {
      const times = recent(partnerId);
      if (times.length < PER_WINDOW) return 0;
      const oldest = times[times.length - PER_WINDOW] as number;
      return Math.max(1, Math.ceil((oldest + WINDOW_MS - now()) / 1000));
    },
    sent(partnerId) {
      recent(partnerId).push(now());
    },
    clear: () => sentAt.clear(),
  };
}
